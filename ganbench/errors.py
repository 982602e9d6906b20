"""User-facing error types.

Every error a user can cause (bad suite file, unknown name, missing asset,
unwritable folder) is a :class:`GanbenchError`. The CLI prints its message on
one line and exits with status 2; library callers can catch it.
"""

from __future__ import annotations


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


class StoreError(GanbenchError):
    """Results or reports cannot be written or read."""


class RecordError(StoreError):
    """A stored run record is malformed or is not the record of its cell."""
