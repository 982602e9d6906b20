"""Validators for strict config mappings (suites, paper sections, fit suites).

Each raises a one-line :class:`~ganbench.errors.ConfigError` that names the key
path (``where``), the bad value and what is accepted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ganbench.errors import ConfigError, echo

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")  # a suite name (a folder name)


def expect(value: Any, kind: type | tuple[type, ...], where: str, what: str) -> Any:
    """``value`` if it is a ``kind`` (a bool is not an int unless ``bool`` is asked for)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    bad_bool = isinstance(value, bool) and bool not in kinds
    if not isinstance(value, kind) or bad_bool:
        raise ConfigError(f"{where}: expected {what}, got {echo(value)}")
    return value


MAX_LABEL_CHARS = 80  # labels are table headers and file-name-like coordinates


def check_label(label: Any, where: str) -> str:
    """A display label: a string of 1-80 printable characters (no control or bidi characters).

    Labels end up in terminal tables, CSV files and HTML; a control character
    (ESC, BEL, a bidi override) could rewrite a terminal line or hide text.
    """
    expect(label, str, where, "a string")
    if not 1 <= len(label) <= MAX_LABEL_CHARS:
        raise ConfigError(
            f"{where}: expected 1 to {MAX_LABEL_CHARS} characters, got {len(label)} ({echo(label)})"
        )
    bad = next((c for c in label if not c.isprintable()), None)
    if bad is not None:
        raise ConfigError(
            f"{where}: control or invisible character U+{ord(bad):04X} in {echo(label)} "
            "(use printable characters)"
        )
    return label


def check_keys(mapping: Mapping[str, Any], allowed: set[str], where: str) -> None:
    """Every key of ``mapping`` is in ``allowed``."""
    for key in mapping:
        if key not in allowed:
            valid = ", ".join(sorted(allowed))
            raise ConfigError(f"{where}: unknown key {echo(key)} (valid: {valid})")


def unique_labels(specs: Iterable[Any], where: str) -> None:
    """No two ``specs`` share a ``label``."""
    seen: set[str] = set()
    for spec in specs:
        if spec.label in seen:
            raise ConfigError(
                f"{where}: duplicate label {echo(spec.label)} (give entries a 'label')"
            )
        seen.add(spec.label)


def suite_header(data: Mapping[str, Any], path: Path) -> tuple[str, str]:
    """A suite file's ``name`` (default: the file's stem) and ``description``, checked.

    Every suite kind names its results and reports folders after ``name``.
    """
    where = str(path)
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise ConfigError(
            f"{where}: name: {echo(name)} is not a valid suite name "
            "(letters, digits, '_', '-', '.'; at most 80 characters)"
        )
    desc = expect(data.get("description", ""), str, f"{where}: description", "a string")
    return name, desc


def texts(raw: Any, where: str) -> tuple[str, ...]:
    """A string or a list of strings as a tuple (``None``: empty)."""
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else expect(raw, list, where, "a list of strings")
    return tuple(expect(t, str, f"{where}[{i}]", "a string") for i, t in enumerate(items))


def finite_number(raw: Any, where: str) -> float:
    """An int or float that is finite, as a float."""
    value = float(expect(raw, (int, float), where, "a number"))
    if not math.isfinite(value):
        raise ConfigError(f"{where}: expected a finite number, got {echo(raw)}")
    return value
