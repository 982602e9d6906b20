"""Validate user-supplied keyword parameters against a callable's signature.

Registered components (objectives, architectures, datasets, metrics) take their
parameters as typed keyword arguments. Suites pass user values through
:func:`resolve_params`, which rejects unknown names and wrong types with one
line naming the bad key and what is accepted, coerces ints to floats and lists
to tuples where the annotation asks for it, rejects NaN, ±inf and integers
beyond :data:`MAX_INT`, and fills in defaults so that the
resolved config (and thus the run id) is explicit.
"""

from __future__ import annotations

import inspect
import math
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Literal, Union, get_args, get_origin

from ganbench.errors import ConfigError, echo

MAX_INT = 2**31 - 1  # no count or size of a GAN suite comes near this; larger ones are typos
MAX_NUMBER = 1e30  # every float parameter is finite (NaN and ±inf are rejected) and below this


class ParamTypeError(ValueError):
    """A value does not match its annotation; the message says what is accepted."""


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Literal:
        return " | ".join(repr(a) for a in get_args(annotation))
    if origin in (Union, types.UnionType):
        return " | ".join(_type_name(a) for a in get_args(annotation))
    if origin is not None:
        args = ", ".join(_type_name(a) for a in get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    if annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", str(annotation))


def check_value(value: Any, annotation: Any) -> Any:
    """Return ``value`` coerced to ``annotation`` or raise :class:`ParamTypeError`."""
    if annotation is Any or annotation is inspect.Parameter.empty:
        return value
    origin = get_origin(annotation)
    if origin is Literal:
        if any(value == a and type(value) is type(a) for a in get_args(annotation)):
            return value
        raise ParamTypeError(f"expected one of {_type_name(annotation)}")
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            try:
                return check_value(value, arg)
            except ParamTypeError:
                continue
        raise ParamTypeError(f"expected {_type_name(annotation)}")
    if origin in (tuple, list):
        if not isinstance(value, list | tuple):
            raise ParamTypeError(f"expected a list ({_type_name(annotation)})")
        args = get_args(annotation)
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(value) != len(args):
                raise ParamTypeError(f"expected {len(args)} items ({_type_name(annotation)})")
            return tuple(check_value(v, a) for v, a in zip(value, args, strict=True))
        item = args[0] if args else Any
        items = [check_value(v, item) for v in value]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise ParamTypeError("expected a mapping")
        return dict(value)
    if annotation is type(None):
        if value is None:
            return None
        raise ParamTypeError("expected null")
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParamTypeError("expected a number")
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            raise ParamTypeError(f"expected a finite number (|x| <= {MAX_NUMBER:.0e})")
        return float(value)
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParamTypeError("expected an integer")
        if abs(value) > MAX_INT:
            raise ParamTypeError(f"expected an integer between {-MAX_INT} and {MAX_INT}")
        return value
    if annotation is bool:
        if not isinstance(value, bool):
            raise ParamTypeError("expected true or false")
        return value
    if annotation is str:
        if not isinstance(value, str):
            raise ParamTypeError("expected a string")
        return value
    if isinstance(annotation, type) and not isinstance(value, annotation):
        raise ParamTypeError(f"expected {_type_name(annotation)}")
    return value


def signature_params(
    fn: Callable[..., Any], skip: tuple[str, ...] = ()
) -> dict[str, tuple[Any, Any]]:
    """Keyword parameters of ``fn`` as ``name -> (annotation, default)``."""
    target = fn.__init__ if inspect.isclass(fn) else fn  # type: ignore[misc]
    sig = inspect.signature(target)
    try:
        hints = typing.get_type_hints(target)
    except Exception:
        hints = {}
    out: dict[str, tuple[Any, Any]] = {}
    for name, p in sig.parameters.items():
        if name == "self" or name in skip:
            continue
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        out[name] = (hints.get(name, p.annotation), p.default)
    return out


def resolve_params(
    fn: Callable[..., Any],
    given: Mapping[str, Any] | None,
    *,
    where: str,
    skip: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Check ``given`` against ``fn``'s keyword parameters and fill in the defaults.

    ``where`` prefixes error messages (file and key path). Raises :class:`ConfigError`.
    """
    spec = signature_params(fn, skip)
    given = dict(given or {})
    unknown = sorted(set(given) - set(spec))
    if unknown:
        valid = ", ".join(sorted(spec)) or "none"
        raise ConfigError(f"{where}: unknown parameter {echo(unknown[0])} (valid: {valid})")
    out: dict[str, Any] = {}
    for name, (annotation, default) in spec.items():
        if name in given:
            try:
                out[name] = check_value(given[name], annotation)
            except ParamTypeError as exc:
                raise ConfigError(f"{where}.{name}: {exc}, got {echo(given[name])}") from None
        elif default is inspect.Parameter.empty:
            raise ConfigError(f"{where}: missing required parameter {name!r}")
        else:
            out[name] = default
    return out
