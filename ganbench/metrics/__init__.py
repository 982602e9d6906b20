"""Metrics: pure math plus registered wrappers in ``METRICS``."""

from ganbench.metrics import modes as modes
from ganbench.metrics import sample_quality as sample_quality
from ganbench.metrics import stacked as stacked
from ganbench.metrics.base import METRICS, EvalContext, MetricResult, MetricSpec, register_metric
from ganbench.metrics.divergence import DivergenceEstimate, estimate_divergence
from ganbench.metrics.divergence import registered as _divergence_metrics  # noqa: F401
from ganbench.metrics.features import inception_features
from ganbench.metrics.fid import FIDInfinity, feature_statistics, fid_infinity, frechet_distance
from ganbench.metrics.inception_score import inception_score
from ganbench.metrics.kid import kernel_inception_distance
from ganbench.metrics.modes import ModeStats, mode_statistics
from ganbench.metrics.prdc import prdc

__all__ = [
    "METRICS",
    "DivergenceEstimate",
    "EvalContext",
    "FIDInfinity",
    "MetricResult",
    "MetricSpec",
    "ModeStats",
    "estimate_divergence",
    "feature_statistics",
    "fid_infinity",
    "frechet_distance",
    "inception_features",
    "inception_score",
    "kernel_inception_distance",
    "mode_statistics",
    "prdc",
    "register_metric",
]
