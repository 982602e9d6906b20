"""Evaluation settings of one cell (a suite's ``eval`` section; frozen, validated)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ganbench.errors import ConfigError
from ganbench.metrics.options import options_dict, resolve_options


@dataclass(frozen=True)
class EvalConfig:
    """Evaluation settings: sample count, metric names (``None`` = all that apply).

    ``options`` are the sample-quality metrics' settings (reference split, n_real,
    preprocessing, Inception weights, …), checked against
    :class:`ganbench.metrics.options.SampleQualityOptions` when the suite loads
    and stored resolved, every default filled in: the resolved config and the
    run id name each setting a number depends on, so a changed default gives
    new run ids instead of silently reusing records.
    ``track_every`` > 0 evaluates ``track_metric`` on ``track_samples`` samples
    (fixed latents) at step 0 and every ``track_every`` steps while any run
    trains, so the report can plot quality over training. The default
    ``classifier_fid`` applies to labelled images; on other datasets it stands
    for their default tracked metric (``hq`` on mixtures; see
    :func:`ganbench.runner.tracking.tracked_metric`).
    """

    n_samples: int = 2500
    metrics: list[str] | None = None
    keep_samples: int = 1000  # generated 2-D points kept for the report's scatter plots
    options: dict[str, Any] = field(default_factory=dict)
    track_every: int = 0
    track_metric: str = "classifier_fid"
    track_samples: int = 1000

    def __post_init__(self) -> None:
        if self.n_samples < 2:
            raise ValueError("n_samples must be >= 2")
        if self.track_every < 0:
            raise ValueError("track_every must be >= 0 (0 turns tracking off)")
        if self.track_samples < 2:
            raise ValueError("track_samples must be >= 2")
        if self.keep_samples < 0:
            raise ValueError("keep_samples must be >= 0")
        if self.metrics is not None and not self.metrics:
            raise ValueError("metrics: empty list (omit the key for every applicable metric)")
        try:
            resolved = options_dict(resolve_options(self.options))
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        object.__setattr__(self, "options", resolved)
