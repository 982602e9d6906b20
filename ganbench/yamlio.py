"""Strict YAML loading: duplicate keys are errors and ``1e-3`` is a float.

Hostile input is stopped before it is built: a file larger than
:data:`MAX_FILE_BYTES`, a document that aliases expand to more than
:data:`MAX_NODES` nodes (a "billion laughs" alias bomb), one nested deeper than
:data:`MAX_DEPTH`, or a scalar longer than :data:`MAX_SCALAR_CHARS` is a
one-line :class:`~ganbench.errors.ConfigError`.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from ganbench.errors import ConfigError

MAX_FILE_BYTES = 1 << 20  # suites are hand-written: 1 MiB is generous
MAX_NODES = 100_000  # nodes of the document with every alias expanded
MAX_DEPTH = 64  # nesting of lists and mappings
MAX_SCALAR_CHARS = 10_000  # one string value (descriptions included)


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
    """Parse YAML ``text``; syntax errors and oversized input become one-line errors."""
    if len(text) > MAX_FILE_BYTES:
        raise ConfigError(f"{where}: larger than {MAX_FILE_BYTES >> 10} KiB (not a suite file?)")
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node, where)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        pos = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = (exc.problem or str(exc)).strip().replace("\n", " ")
        raise ConfigError(f"{where}: YAML syntax error{pos}: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: YAML error: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise ConfigError(
            f"{where}: nested too deeply (at most {MAX_DEPTH} levels of lists and mappings)"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_size(root: yaml.Node, where: str) -> None:
    """Reject documents whose expanded size, depth or scalar length exceed the limits.

    Aliases make a node reachable many times; its expanded size is counted
    every time (memoised per node, so the check itself is linear in the file).
    """
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        if depth > MAX_DEPTH:
            line = node.start_mark.line + 1
            raise ConfigError(
                f"{where}: line {line}: nested deeper than {MAX_DEPTH} levels of lists and mappings"
            )
        if isinstance(node, yaml.ScalarNode):
            if len(node.value) > MAX_SCALAR_CHARS:
                line = node.start_mark.line + 1
                raise ConfigError(
                    f"{where}: line {line}: a value of {len(node.value)} characters "
                    f"(at most {MAX_SCALAR_CHARS})"
                )
            total = 1
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(child, depth + 1) for child in node.value)
        else:
            total = 1 + sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        if total > MAX_NODES:
            raise ConfigError(
                f"{where}: line {node.start_mark.line + 1}: expands to more than {MAX_NODES} "
                "values (YAML aliases repeat what they refer to; write the values out)"
            )
        sizes[id(node)] = total
        return total

    size(root, 0)


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
