"""Validators for strict config mappings (suites, paper sections, fit suites).

Each raises a one-line :class:`~ganbench.errors.ConfigError` that names the key
path (``where``), the bad value and what is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ganbench.errors import ConfigError


def expect(value: Any, kind: type | tuple[type, ...], where: str, what: str) -> Any:
    """``value`` if it is a ``kind`` (a bool is not an int unless ``bool`` is asked for)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    bad_bool = isinstance(value, bool) and bool not in kinds
    if not isinstance(value, kind) or bad_bool:
        raise ConfigError(f"{where}: expected {what}, got {value!r}")
    return value


def check_keys(mapping: Mapping[str, Any], allowed: set[str], where: str) -> None:
    """Every key of ``mapping`` is in ``allowed``."""
    for key in mapping:
        if key not in allowed:
            valid = ", ".join(sorted(allowed))
            raise ConfigError(f"{where}: unknown key {key!r} (valid: {valid})")


def unique_labels(specs: Iterable[Any], where: str) -> None:
    """No two ``specs`` share a ``label``."""
    seen: set[str] = set()
    for spec in specs:
        if spec.label in seen:
            raise ConfigError(f"{where}: duplicate label {spec.label!r} (give entries a 'label')")
        seen.add(spec.label)
