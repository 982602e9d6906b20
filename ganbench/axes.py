"""Suite axis entries: a registry name with its label, parameters and overrides.

The ``datasets``, ``objectives`` and ``architectures`` axes hold entries that are a
registry name or a mapping ``{name, label?, params?, train?}``; ``variants`` holds
labelled training / architecture overrides; ``seeds`` a list of integers. This
module parses each strictly (one-line errors naming the key path); the suite
itself is put together in :mod:`ganbench.config`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ganbench.errors import ConfigError, UnknownNameError, echo
from ganbench.limits import SEED_MAX
from ganbench.params import resolve_params
from ganbench.registry import Registry
from ganbench.strict import check_keys, check_label, expect, unique_labels

ENTRY_KEYS = {"name", "label", "params", "train"}


@dataclass(frozen=True)
class ComponentSpec:
    """A registry name, its display label and its fully resolved parameters."""

    name: str
    label: str
    params: dict[str, Any] = field(default_factory=dict)
    train: dict[str, Any] = field(default_factory=dict)  # per-entry train overrides


@dataclass(frozen=True)
class Variant:
    """A labelled set of training overrides (e.g. ``pacgan2: {pack: 2}``).

    ``architecture`` overrides architecture parameters for the variant's cells
    (e.g. ``spectral-norm: {architecture: {d_spectral_norm: true}}``).
    """

    label: str
    train: dict[str, Any] = field(default_factory=dict)
    architecture: dict[str, Any] = field(default_factory=dict)


def parse_entry(
    raw: Any,
    registry: Registry[Any],
    where: str,
    overrides: Mapping[str, Any] | None,
    skip: tuple[str, ...] = (),
    allow_train: bool = False,
) -> ComponentSpec:
    if isinstance(raw, str):
        raw = {"name": raw}
    expect(raw, dict, where, f"a {registry.kind} name or a mapping with 'name'")
    check_keys(raw, ENTRY_KEYS if allow_train else ENTRY_KEYS - {"train"}, where)
    name = raw.get("name")
    if not isinstance(name, str):
        raise ConfigError(f"{where}.name: expected a {registry.kind} name, got {echo(name)}")
    try:
        entry = registry.entry(name)
    except UnknownNameError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    label = check_label(raw.get("label", name), f"{where}.label")
    given = dict((overrides or {}).get(name, {}))
    given.update(expect(raw.get("params", {}) or {}, dict, f"{where}.params", "a mapping"))
    params = resolve_params(entry.obj, given, where=f"{where}.params", skip=skip)
    train = expect(raw.get("train", {}) or {}, dict, f"{where}.train", "a mapping")
    return ComponentSpec(name=name, label=label, params=params, train=dict(train))


def parse_axis(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    if key not in data:
        raise ConfigError(f"{where}: missing required key {key!r}")
    items = data[key]
    expect(items, list, f"{where}: {key}", "a list")
    if not items:
        raise ConfigError(f"{where}: {key}: empty list (the matrix would have no cells)")
    return items


def parse_seeds(data: Mapping[str, Any], where: str) -> tuple[int, ...]:
    seeds = parse_axis(data, "seeds", where)
    for i, s in enumerate(seeds):
        if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= SEED_MAX:
            raise ConfigError(
                f"{where}: seeds[{i}]: expected a non-negative integer, got {echo(s)} "
                f"(at most {SEED_MAX})"
            )
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"{where}: seeds: duplicate seeds in {echo(seeds)}")
    return tuple(seeds)


def parse_variants(data: Mapping[str, Any], where: str) -> tuple[Variant, ...]:
    raw = data.get("variants")
    if raw is None:
        return (Variant("default"),)
    expect(raw, list, f"{where}: variants", "a list")
    if not raw:
        raise ConfigError(f"{where}: variants: empty list (omit the key for no variants)")
    out = []
    for i, item in enumerate(raw):
        w = f"{where}: variants[{i}]"
        if isinstance(item, str):
            item = {"label": item}
        expect(item, dict, w, "a label or a mapping with 'label', 'train', 'architecture'")
        check_keys(item, {"label", "train", "architecture"}, w)
        label = check_label(item.get("label"), f"{w}.label")
        train = expect(item.get("train", {}) or {}, dict, f"{w}.train", "a mapping")
        arch = expect(item.get("architecture", {}) or {}, dict, f"{w}.architecture", "a mapping")
        out.append(Variant(label, dict(train), dict(arch)))
    unique_labels(out, f"{where}: variants")
    return tuple(out)
