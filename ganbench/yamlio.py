"""Strict YAML loading: duplicate keys are errors and ``1e-3`` is a float."""

from __future__ import annotations

import re
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from ganbench.errors import ConfigError


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"a mapping key must be a scalar, not {type(key).__name__}", mark
            )
        if key in out:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark
            )
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,  # type: ignore[arg-type]
)
# YAML 1.1 reads "1e-3" as a string; accept exponent floats without a dot too.
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def load_yaml_text(text: str, where: str) -> Any:
    """Parse YAML ``text``; syntax errors become one-line :class:`ConfigError` s."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        pos = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = (exc.problem or str(exc)).strip().replace("\n", " ")
        raise ConfigError(f"{where}: YAML syntax error{pos}: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: YAML error: {str(exc).splitlines()[0]}") from None


def load_yaml_file(path: str | Path) -> Any:
    """Read and parse a YAML file; a missing or unreadable file is a :class:`ConfigError`."""
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{p}: suite file not found")
    if not p.is_file():
        raise ConfigError(f"{p}: not a file")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read suite file ({exc.__class__.__name__})") from None
    return load_yaml_text(text, str(p))
