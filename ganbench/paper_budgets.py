"""Paper budgets: reduced (or GPU-sized) variants of a paper suite's protocol.

``budgets:`` in a suite's ``paper:`` section (see :mod:`ganbench.papers`) is parsed
here, and :func:`apply_budget` turns the suite mapping into the budget's suite
(``<name>-<budget>``): its seeds, training and evaluation settings, the rows
(variants) it runs and per-dataset training settings (``dataset_train``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ganbench.errors import ConfigError, echo
from ganbench.strict import check_keys, expect, finite_number, texts

BUDGETS = ("cpu", "gpu")
BUDGET_KEYS = {
    "minutes", "hours", "seeds", "train", "eval", "architecture_params", "differences", "variants",
    "dataset_train",
}  # fmt: skip


@dataclass(frozen=True)
class Budget:
    """A reduced (or GPU-sized) variant of the protocol and what it costs."""

    name: str
    minutes: float | None = None
    hours: float | None = None
    seeds: tuple[int, ...] | None = None
    train: dict[str, Any] = field(default_factory=dict)
    eval: dict[str, Any] = field(default_factory=dict)
    architecture_params: dict[str, Any] = field(default_factory=dict)  # merged into every entry
    differences: tuple[str, ...] = ()
    variants: tuple[str, ...] | None = None  # the variant labels it runs (None: all of them)
    # dataset label → training settings over ``train`` for that dataset's cells
    dataset_train: dict[str, dict[str, Any]] = field(default_factory=dict)

    def runs_variant(self, label: str | None) -> bool:
        """Whether this budget runs variant ``label`` (``None``: a row without a variant)."""
        return self.variants is None or label is None or label in self.variants

    @property
    def cost(self) -> str:
        """The budget in words (CPU minutes or GPU hours)."""
        if self.minutes is not None:
            return f"~{self.minutes:g} CPU min"
        if self.hours is not None:
            return f"~{self.hours:g} GPU h"
        return "unknown"


def _budget_variants(raw: Any, where: str, labels: Sequence[str]) -> tuple[str, ...] | None:
    """A budget's ``variants:`` list, each a label of the suite's variants."""
    if raw is None:
        return None
    items = expect(raw, list, where, "a list of variant labels")
    if not items:
        raise ConfigError(f"{where}: empty list (omit the key to run every variant)")
    for i, label in enumerate(items):
        if not isinstance(label, str) or label not in labels:
            raise ConfigError(
                f"{where}[{i}]: {echo(label)} is not a variant of the suite "
                f"(valid: {', '.join(labels)})"
            )
    if len(set(items)) != len(items):
        raise ConfigError(f"{where}: a variant is listed twice ({', '.join(items)})")
    return tuple(items)


def _dataset_train(raw: Any, where: str, labels: Sequence[str]) -> dict[str, dict[str, Any]]:
    """A budget's ``dataset_train:`` mapping, dataset label → training settings."""
    out = {}
    for label, train in expect(raw or {}, dict, where, "a mapping dataset label → train").items():
        if label not in labels:
            raise ConfigError(
                f"{where}: {echo(label)} is not a dataset of the suite (valid: {', '.join(labels)})"
            )
        out[label] = dict(expect(train, dict, f"{where}.{label}", "a mapping of train settings"))
    return out


def parse_budgets(
    raw: Any, where: str, variants: Sequence[str] = (), datasets: Sequence[str] = ()
) -> dict[str, Budget]:
    """The validated ``budgets:`` mapping (``variants``/``datasets``: the suite's labels)."""
    out = {}
    for name, b in expect(raw or {}, dict, where, "a mapping cpu/gpu → budget").items():
        w = f"{where}.{name}"
        if name not in BUDGETS:
            raise ConfigError(f"{w}: unknown budget {echo(name)} (valid: {', '.join(BUDGETS)})")
        expect(b, dict, w, "a mapping")
        check_keys(b, BUDGET_KEYS, w)
        seeds = b.get("seeds")
        if seeds is not None:
            expect(seeds, list, f"{w}.seeds", "a list of seeds")
            seeds = tuple(expect(s, int, f"{w}.seeds", "non-negative integers") for s in seeds)
        out[name] = Budget(
            name=name,
            minutes=finite_number(b["minutes"], f"{w}.minutes") if "minutes" in b else None,
            hours=finite_number(b["hours"], f"{w}.hours") if "hours" in b else None,
            seeds=seeds,
            train=dict(expect(b.get("train", {}), dict, f"{w}.train", "a mapping")),
            eval=dict(expect(b.get("eval", {}), dict, f"{w}.eval", "a mapping")),
            architecture_params=dict(
                expect(
                    b.get("architecture_params", {}), dict, f"{w}.architecture_params", "a mapping"
                )
            ),
            differences=texts(b.get("differences"), f"{w}.differences"),
            variants=_budget_variants(b.get("variants"), f"{w}.variants", variants),
            dataset_train=_dataset_train(b.get("dataset_train"), f"{w}.dataset_train", datasets),
        )
    return out


def apply_budget(data: Mapping[str, Any], budget: Budget) -> dict[str, Any]:
    """The suite mapping with ``budget`` applied: renamed ``<name>-<budget>``, seeds/train/eval.

    A budget with ``variants`` keeps only those entries of the suite's ``variants:``
    list (in the suite's order); the others' published rows are then "not run".
    ``dataset_train`` goes into the ``train`` of the dataset entries it names, so it
    wins over the budget's ``train`` for their cells (the usual resolution order).
    The ``paper:`` section is left out: it names every variant of the suite as
    written, and stays with that suite (``GanPaperRun.base``).
    """
    out = {k: v for k, v in data.items() if k != "paper"}
    out["name"] = f"{data.get('name', 'paper')}-{budget.name}"
    if budget.variants is not None and data.get("variants") is not None:
        out["variants"] = [v for v in data["variants"] if _variant_label(v) in budget.variants]
    if budget.seeds is not None:
        out["seeds"] = list(budget.seeds)
    out["train"] = {**(data.get("train") or {}), **budget.train}
    out["eval"] = {**(data.get("eval") or {}), **budget.eval}
    if budget.dataset_train:
        entries = []
        for d in map(_entry, data.get("datasets") or []):
            extra = budget.dataset_train.get(str(d.get("label", d.get("name"))), {})
            if extra:
                d["train"] = {**(d.get("train") or {}), **extra}
            entries.append(d)
        out["datasets"] = entries
    if budget.architecture_params:
        archs = []
        for a in map(_entry, data.get("architectures") or []):
            a["params"] = {**(a.get("params") or {}), **budget.architecture_params}
            archs.append(a)
        out["architectures"] = archs
    return out


def _variant_label(entry: Any) -> Any:
    """The label of one raw ``variants:`` entry (a label, or a mapping with ``label``)."""
    return entry.get("label") if isinstance(entry, dict) else entry


def _entry(raw: Any) -> dict[str, Any]:
    """A copy of one raw axis entry as a mapping (a bare name becomes ``{name: ...}``)."""
    return {"name": raw} if isinstance(raw, str) else dict(raw)
