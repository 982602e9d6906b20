"""The ``paper:`` section of a suite: a published table, its source, protocol and budgets.

A paper suite (``suites/papers/*.yaml``) is an ordinary suite whose axes are
set to the paper's protocol, plus a strict ``paper:`` mapping::

    paper:
      title: "PacGAN: The power of two samples in generative adversarial networks"
      authors: "Lin, Khetan, Fanti, Oh"
      year: 2018
      arxiv: "1712.04086"
      source: "Table 1"                 # where the numbers are printed
      spread: standard_error            # what the paper's ± means (or std, ci95, none)
      n_runs: 10                        # runs behind each published mean
      metrics:                          # ganbench metric → the paper's column
        hq: {column: "high-quality samples (%)", scale: 0.01}   # paper × scale = ours
      protocol: ["...", ...]            # the paper's protocol, in words
      differences: ["...", ...]         # how the suite differs from it, in words
      budgets:                          # reduced variants: ``ganbench reproduce NAME --budget cpu``
        cpu: {minutes: 25, seeds: [0, 1, 2], train: {steps: 3000},
              architecture_params: {width: 128}, differences: ["..."],
              variants: [gan, pacgan2],    # optional: run only these variants (rows)
              dataset_train: {grid: {d_lr: 1.0e-3}}}  # optional: per dataset label
      results:                          # the published numbers, one row of the paper each
        - {row: GAN, dataset: ring, variant: gan, modes: [6.3, 0.5], hq: [98.2, 0.2]}
      claims:                           # ordinal statements the paper makes (optional)
        - {text: "...", metric: modes, dataset: ring, better: {variant: pacgan2},
           worse: {variant: gan}}              # or larger/smaller: {...}
        - {text: "...", metric: modes, dataset: ring, variant: pacgan2, at_least: 7}

Published values are stored in the paper's units (``scale`` converts them); a
value is a number or ``[value, spread]``. A result row's coordinates must
name labels of the suite's axes and pick exactly one entry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ganbench.errors import ConfigError, echo
from ganbench.paper_budgets import Budget, parse_budgets
from ganbench.strict import check_keys, expect, finite_number, texts

SPREADS = ("standard_error", "std", "ci95", "none")
COORD_KEYS = ("dataset", "objective", "architecture", "variant")
PAPER_KEYS = {
    "title", "authors", "year", "venue", "arxiv", "url", "source", "spread", "n_runs",
    "metrics", "protocol", "differences", "budgets", "results", "claims", "notes",
}  # fmt: skip


@dataclass(frozen=True)
class PaperMetric:
    """A ganbench metric and the paper column it is compared with."""

    metric: str
    column: str
    scale: float = 1.0  # paper value × scale = ganbench value


@dataclass(frozen=True)
class Published:
    """One published number (paper units) and its spread (``None`` when not given)."""

    value: float
    spread: float | None = None


@dataclass(frozen=True)
class PublishedRow:
    """One row of the paper's table, mapped to a suite entry."""

    row: str
    coords: dict[str, str]
    values: dict[str, Published]


@dataclass(frozen=True)
class Claim:
    """A qualitative claim of the paper about ``metric``, checked on ganbench's means.

    ``kind`` is ``better`` (entry ``first`` beats ``second`` in the metric's
    direction), ``larger`` (``first``'s mean exceeds ``second``'s, whatever the
    direction), ``at_least`` or ``at_most`` (``first``'s mean against ``bound``).
    """

    text: str
    metric: str
    kind: str
    first: dict[str, str]
    second: dict[str, str] = field(default_factory=dict)
    bound: float = math.nan


@dataclass(frozen=True)
class Paper:
    """The validated ``paper:`` section of a suite."""

    title: str
    authors: str
    year: int
    arxiv: str
    source: str
    spread: str
    metrics: tuple[PaperMetric, ...]
    protocol: tuple[str, ...]
    differences: tuple[str, ...]
    results: tuple[PublishedRow, ...]
    budgets: dict[str, Budget] = field(default_factory=dict)
    claims: tuple[Claim, ...] = ()
    n_runs: int | None = None
    venue: str = ""
    url: str = ""
    notes: tuple[str, ...] = ()

    @property
    def citation(self) -> str:
        """``Authors (year), "title", venue, arXiv:id, source``."""
        venue = f", {self.venue}" if self.venue else ""
        return f'{self.authors} ({self.year}), "{self.title}"{venue}, arXiv:{self.arxiv}'

    @property
    def arxiv_url(self) -> str:
        """The paper's arXiv abstract page."""
        return f"https://arxiv.org/abs/{self.arxiv}"

    def metric(self, name: str) -> PaperMetric | None:
        """The paper column of ganbench metric ``name``."""
        return next((m for m in self.metrics if m.metric == name), None)


def _published(raw: Any, where: str) -> Published:
    if isinstance(raw, list):
        if len(raw) != 2:
            raise ConfigError(f"{where}: expected a number or [value, spread], got {echo(raw)}")
        spread = finite_number(raw[1], f"{where}[1]")
        if spread < 0:
            raise ConfigError(f"{where}[1]: the spread must be >= 0, got {spread}")
        return Published(finite_number(raw[0], f"{where}[0]"), spread)
    return Published(finite_number(raw, where))


def _metrics(raw: Any, where: str, known: set[str]) -> tuple[PaperMetric, ...]:
    expect(raw, dict, where, "a mapping metric → {column, scale?}")
    if not raw:
        raise ConfigError(f"{where}: empty (name the metrics the paper reports)")
    out = []
    for name, spec in raw.items():
        w = f"{where}.{name}"
        if known and name not in known:
            raise ConfigError(
                f"{w}: {echo(name)} is not a metric of this suite ({', '.join(sorted(known))})"
            )
        spec = {"column": spec} if isinstance(spec, str) else expect(spec, dict, w, "a mapping")
        check_keys(spec, {"column", "scale"}, w)
        column = expect(spec.get("column", name), str, f"{w}.column", "a string")
        scale = finite_number(spec.get("scale", 1.0), f"{w}.scale")
        if scale <= 0:
            raise ConfigError(f"{w}.scale: must be > 0, got {scale}")
        out.append(PaperMetric(name, column, scale))
    return tuple(out)


def _coords(
    raw: Mapping[str, Any], where: str, axes: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    out = {}
    for key in COORD_KEYS:
        if key in raw:
            label = expect(raw[key], str, f"{where}.{key}", "a label")
            if label not in axes[key]:
                valid = ", ".join(axes[key])
                raise ConfigError(
                    f"{where}.{key}: {echo(label)} is not a label of the suite ({valid})"
                )
            out[key] = label
    return out


def _one_entry(coords: dict[str, str], where: str, axes: Mapping[str, Sequence[str]]) -> None:
    for key in COORD_KEYS:
        if key not in coords and len(axes[key]) > 1:
            raise ConfigError(
                f"{where}: give {key!r} (the suite has several: {', '.join(axes[key])})"
            )


def _results(raw: Any, where: str, metrics: tuple[PaperMetric, ...], axes: Any) -> tuple:
    names = {m.metric for m in metrics}
    out = []
    for i, row in enumerate(expect(raw or [], list, where, "a list of rows")):
        w = f"{where}[{i}]"
        expect(row, dict, w, "a mapping")
        check_keys(row, {"row", *COORD_KEYS, *names}, w)
        coords = _coords(row, w, axes)
        _one_entry(coords, w, axes)
        values = {m: _published(row[m], f"{w}.{m}") for m in names if m in row}
        label = expect(row.get("row", ""), str, f"{w}.row", "the paper's row label")
        out.append(PublishedRow(label or " / ".join(coords.values()), coords, values))
    return tuple(out)


CLAIM_PAIRS = {"better": "worse", "larger": "smaller"}
CLAIM_BOUNDS = ("at_least", "at_most")


def _claim(c: Any, w: str, names: set[str], axes: Any) -> Claim:
    expect(c, dict, w, "a mapping")
    check_keys(
        c, {"text", "metric", *CLAIM_PAIRS, *CLAIM_PAIRS.values(), *CLAIM_BOUNDS, *COORD_KEYS}, w
    )
    metric = expect(c.get("metric"), str, f"{w}.metric", "a metric name")
    if metric not in names:
        raise ConfigError(f"{w}.metric: {echo(metric)} is not in paper.metrics")
    text = expect(c.get("text"), str, f"{w}.text", "the claim in words")
    shared = _coords(c, w, axes)
    kinds = [k for k in (*CLAIM_PAIRS, *CLAIM_BOUNDS) if k in c]
    if len(kinds) != 1:
        raise ConfigError(
            f"{w}: give exactly one of better/worse, larger/smaller, at_least, at_most"
        )
    kind = kinds[0]
    if kind in CLAIM_BOUNDS:
        _one_entry(shared, w, axes)
        return Claim(text, metric, kind, shared, bound=finite_number(c[kind], f"{w}.{kind}"))
    sides = []
    for side in (kind, CLAIM_PAIRS[kind]):
        part = expect(c.get(side), dict, f"{w}.{side}", "a mapping of coordinates")
        check_keys(part, set(COORD_KEYS), f"{w}.{side}")
        coords = {**shared, **_coords(part, f"{w}.{side}", axes)}
        _one_entry(coords, f"{w}.{side}", axes)
        sides.append(coords)
    return Claim(text, metric, kind, sides[0], sides[1])


def _claims(raw: Any, where: str, names: set[str], axes: Any) -> tuple[Claim, ...]:
    items = expect(raw or [], list, where, "a list of claims")
    return tuple(_claim(c, f"{where}[{i}]", names, axes) for i, c in enumerate(items))


def parse_paper(
    raw: Any, where: str, axes: Mapping[str, Sequence[str]], metrics: Sequence[str] = ()
) -> Paper:
    """Validate a suite's ``paper:`` mapping against the suite's axis labels and metrics."""
    where = f"{where}: paper"
    expect(raw, dict, where, "a mapping")
    check_keys(raw, PAPER_KEYS, where)
    for key in ("title", "authors", "year", "arxiv", "source", "metrics"):
        if key not in raw:
            raise ConfigError(f"{where}: missing required key {key!r}")
    spread = raw.get("spread", "none")
    if spread not in SPREADS:
        raise ConfigError(f"{where}.spread: {echo(spread)} (valid: {', '.join(SPREADS)})")
    n_runs = raw.get("n_runs")
    if n_runs is not None and (expect(n_runs, int, f"{where}.n_runs", "an integer") < 1):
        raise ConfigError(f"{where}.n_runs: must be >= 1")
    pm = _metrics(raw["metrics"], f"{where}.metrics", set(metrics))
    return Paper(
        title=expect(raw["title"], str, f"{where}.title", "a string"),
        authors=expect(raw["authors"], str, f"{where}.authors", "a string"),
        year=expect(raw["year"], int, f"{where}.year", "a year"),
        arxiv=expect(raw["arxiv"], str, f"{where}.arxiv", "an arXiv id as a quoted string"),
        source=expect(raw["source"], str, f"{where}.source", "e.g. 'Table 1'"),
        spread=spread,
        metrics=pm,
        protocol=texts(raw.get("protocol"), f"{where}.protocol"),
        differences=texts(raw.get("differences"), f"{where}.differences"),
        results=_results(raw.get("results"), f"{where}.results", pm, axes),
        budgets=parse_budgets(
            raw.get("budgets"), f"{where}.budgets", axes.get("variant", ()), axes.get("dataset", ())
        ),
        claims=_claims(raw.get("claims"), f"{where}.claims", {m.metric for m in pm}, axes),
        n_runs=n_runs,
        venue=expect(raw.get("venue", ""), str, f"{where}.venue", "a string"),
        url=expect(raw.get("url", ""), str, f"{where}.url", "a string"),
        notes=texts(raw.get("notes"), f"{where}.notes"),
    )
