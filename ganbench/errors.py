"""User-facing error types.

Every error a user can cause (bad suite file, unknown name, missing asset,
unwritable folder) is a :class:`GanbenchError`. The CLI prints its message on
one line and exits with status 2; library callers can catch it.
"""

from __future__ import annotations

import reprlib
from typing import Any

ECHO_CHARS = 80  # the longest value echoed in a one-line error message


def _bounded_repr() -> reprlib.Repr:
    r = reprlib.Repr()
    r.maxlevel, r.maxlist, r.maxtuple, r.maxdict, r.maxset = 3, 6, 6, 6, 6
    r.maxstring, r.maxother, r.maxlong = ECHO_CHARS, ECHO_CHARS, 40
    return r


_REPR = _bounded_repr()


def echo(value: Any, limit: int = ECHO_CHARS) -> str:
    """A short ``repr`` of ``value`` for error messages: at most ``limit`` characters (with "…").

    Bounded in time too: a huge or deeply nested value (e.g. from a YAML alias
    bomb) is shown by its first items only.
    """
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class GanbenchError(Exception):
    """Base class of all errors caused by user input or the environment."""


class ConfigError(GanbenchError):
    """A suite file or a parameter is invalid."""


class UnknownNameError(GanbenchError, KeyError):
    """A registry lookup with a name that is not registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class AssetError(GanbenchError):
    """A dataset, weights file or other asset is missing or corrupt."""


class InputError(GanbenchError):
    """A sample set or generator given to ``ganbench eval`` cannot be read or is invalid."""


class StoreError(GanbenchError):
    """Results or reports cannot be written or read."""


class RecordError(StoreError):
    """A stored run record is malformed or is not the record of its cell."""
