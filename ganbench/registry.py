"""A small generic registry with strict names and "did you mean" errors.

One :class:`Registry` instance exists per kind of named thing (objectives,
architectures, datasets, metrics, regularizers). Entries are registered with a
decorator; the first line of the object's docstring is its description unless
one is given.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ganbench.errors import UnknownNameError, echo

T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered object with its name, description and free-form metadata."""

    name: str
    obj: T
    description: str
    meta: dict[str, Any] = field(default_factory=dict)


def _first_doc_line(obj: object) -> str:
    doc = inspect.getdoc(obj) or ""
    line = doc.strip().splitlines()[0] if doc.strip() else ""
    return line.replace("``", "")  # reST inline literals read as plain text in `ganbench ls`


class Registry(Generic[T]):
    """Name → object mapping; duplicate names raise, unknown names suggest matches."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def register(
        self, name: str, *, description: str | None = None, **meta: Any
    ) -> Callable[[T], T]:
        """Decorator registering ``obj`` under ``name``; raises if the name is taken."""

        def decorator(obj: T) -> T:
            self.add(name, obj, description=description, **meta)
            return obj

        return decorator

    def add(self, name: str, obj: T, *, description: str | None = None, **meta: Any) -> None:
        """Register ``obj`` under ``name`` (non-decorator form)."""
        if not name or name != name.strip():
            raise ValueError(f"invalid {self.kind} name {name!r}")
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        desc = description if description is not None else _first_doc_line(obj)
        self._entries[name] = Entry(name=name, obj=obj, description=desc, meta=dict(meta))

    def get(self, name: str) -> T:
        """Return the object registered under ``name``."""
        return self.entry(name).obj

    def entry(self, name: str) -> Entry[T]:
        """Return the full :class:`Entry` for ``name``; unknown names raise with suggestions."""
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise UnknownNameError(self.unknown_message(name)) from None

    def unknown_message(self, name: object) -> str:
        """One-line message for an unknown name, with close matches and the valid names."""
        valid = ", ".join(self.names())
        close = difflib.get_close_matches(str(name), self.names(), n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        return f"unknown {self.kind} {echo(name)}{hint} (valid: {valid})"

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._entries)

    def entries(self) -> list[Entry[T]]:
        """All entries, sorted by name."""
        return [self._entries[n] for n in self.names()]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)
