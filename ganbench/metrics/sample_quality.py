"""Registered sample-quality metrics for image datasets: the plumbing around the pure math.

Inception-based: ``fid``, ``kid``, ``precision``, ``recall``, ``density``,
``coverage``, ``is``, ``fid_infinity``. Domain-classifier-based:
``classifier_fid``, ``classifier_is``. All are ``default=False`` (a suite asks
for them by name in ``eval.metrics``) because their first use is expensive on
a CPU: Inception runs at a few images per second there, and a domain
classifier is trained once per dataset.

How data reaches them: generated samples are ``ctx.samples`` (float, [-1, 1]),
turned into uint8 pixels by round((x + 1)·127.5); real images come from the
dataset's ``images_uint8(split)`` (and ``labels(split)`` for the classifier),
the split and count being ``eval.options`` (:mod:`ganbench.metrics.options`).
Real features are cached on disk (:mod:`ganbench.metrics.cache`), generated
ones once per run in ``ctx.cache``, so asking for all ten metrics extracts
each set once. Every value's protocol names the extractor and its weights'
SHA-256, the preprocessing, n_real, n_fake and the reference split.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from ganbench.metrics.base import EvalContext, MetricResult, register_metric
from ganbench.metrics.cache import RealReference, real_reference
from ganbench.metrics.classifier import ClassifierExtractor, domain_classifier
from ganbench.metrics.features import Extracted, FeatureExtractor, inception_extractor
from ganbench.metrics.fid import feature_statistics, fid_infinity, frechet_distance
from ganbench.metrics.inception_score import inception_score
from ganbench.metrics.kid import kernel_inception_distance
from ganbench.metrics.options import SampleQualityOptions, resolve_options
from ganbench.metrics.prdc import equal_size_prdc
from ganbench.metrics.preprocess import to_uint8
from ganbench.metrics.weights import PYTORCH_FID_FILE, hub_cache_path


def _options(ctx: EvalContext) -> SampleQualityOptions:
    return ctx.cached("sq:options", lambda: resolve_options(ctx.options))


def _inception(ctx: EvalContext, need_logits: bool = False) -> FeatureExtractor:
    o = _options(ctx)
    return ctx.cached(
        f"sq:inception:{need_logits}",
        lambda: inception_extractor(
            o.preprocessing,
            weights=o.inception_weights,
            need_logits=need_logits,
            allow_download=o.allow_download,
        ),
    )


def _classifier(ctx: EvalContext) -> FeatureExtractor:
    def build() -> FeatureExtractor:
        ds: Any = ctx.dataset
        if ds.n_classes is None:
            raise ValueError(f"{ds.name}: the domain classifier needs class labels")
        trained = domain_classifier(
            ds.name,
            (ds.images_uint8("train"), ds.labels("train")),
            (ds.images_uint8("test"), ds.labels("test")),
            n_classes=ds.n_classes,
            seed=_options(ctx).classifier_seed,
            steps=_options(ctx).classifier_steps,
        )
        return ClassifierExtractor(ds.name, trained)

    return ctx.cached("sq:classifier", build)


def _is_inception(extractor: FeatureExtractor) -> bool:
    return not isinstance(extractor, ClassifierExtractor)


def _fake_samples(ctx: EvalContext, extractor: FeatureExtractor) -> torch.Tensor:
    """The generated samples an extractor sees: all, or the first ``inception_n_fake``."""
    n = _options(ctx).inception_n_fake
    return ctx.samples[:n] if n is not None and _is_inception(extractor) else ctx.samples


def _fake(ctx: EvalContext, extractor: FeatureExtractor) -> Extracted:
    o = _options(ctx)
    return ctx.cached(
        f"sq:fake:{extractor.cache_id}",
        lambda: extractor.extract(
            to_uint8(_fake_samples(ctx, extractor)), batch_size=o.batch_size, device=ctx.device
        ),
    )


NEEDS_REAL_FEATURES = frozenset({"kid", "precision", "recall", "density", "coverage"})


def _real(ctx: EvalContext, extractor: FeatureExtractor) -> RealReference:
    source = ctx.real_source
    if source is not None:
        return ctx.cached(f"sq:real:{extractor.cache_id}", lambda: source(extractor))
    o, ds = _options(ctx), ctx.dataset
    images = ds.images_uint8(o.reference_split)  # type: ignore[attr-defined]
    return ctx.cached(
        f"sq:real:{extractor.cache_id}",
        lambda: real_reference(
            extractor,
            images,
            dataset=ds.name,  # type: ignore[attr-defined]
            split=o.reference_split,
            n_real=o.inception_n_real
            if o.inception_n_real is not None and _is_inception(extractor)
            else o.n_real,
            batch_size=o.batch_size,
            device=ctx.device,
        ),
    )


@dataclass(frozen=True)
class _Pair:
    extractor: FeatureExtractor
    real: RealReference
    fake: Extracted

    def protocol(self, **extra: Any) -> dict[str, Any]:
        meta = self.real.meta
        n_real = int(self.real.features.shape[0]) or meta.get("n_real")
        stats: dict[str, Any] = {k: meta[k] for k in ("stats_file", "stats_sha256") if k in meta}
        return {
            **self.extractor.protocol(),
            "reference_dataset": meta["dataset"],
            "reference_split": meta["split"],
            "reference_subset": meta["subset"],
            "n_real": n_real,
            "n_fake": int(self.fake.features.shape[0]),
            **stats,
            **extra,
        }

    def real_features(self, metric: str) -> Any:
        """The real raw features, or a one-line error when only μ and Σ are known."""
        if self.real.features.shape[0] == 0:
            raise ValueError(
                f"{metric} needs the reference's raw features; {self.real.meta['dataset']} holds "
                "only mu and sigma (pytorch-fid layout); files from `ganbench stats` keep them"
            )
        return self.real.features


def _pair(ctx: EvalContext, extractor: FeatureExtractor) -> _Pair:
    return _Pair(extractor, _real(ctx, extractor), _fake(ctx, extractor))


def _fid(pair: _Pair) -> float:
    return frechet_distance(pair.real.mu, pair.real.sigma, *feature_statistics(pair.fake.features))


def _prdc(ctx: EvalContext) -> tuple[dict[str, float], dict[str, Any]]:
    def compute() -> tuple[dict[str, float], dict[str, Any]]:
        pair, k = _pair(ctx, _inception(ctx)), _options(ctx).prdc_k
        real = pair.real_features("precision/recall/density/coverage")
        values, subset = equal_size_prdc(real, pair.fake.features, k=k)
        proto = pair.protocol(k=k, membership="d < k-NN radius (prdc package)", **subset)
        return values, proto

    return ctx.cached("sq:prdc", compute)


def _is_result(extractor: FeatureExtractor, fake: Extracted, splits: int) -> MetricResult:
    proto = {
        **extractor.protocol(),
        "n_fake": int(fake.features.shape[0]),
        "splits": splits,
        "convention": "softmax of the logits, contiguous splits, population std",
    }
    if fake.logits is None:  # guarded by the caller; kept for type narrowing
        return MetricResult(math.nan, proto, "no classifier logits")
    mean, std = inception_score(fake.logits, splits=splits)
    return MetricResult(mean, {**proto, "std": std})


@register_metric(
    "fid",
    higher_is_better=False,
    requires={"images"},
    version="1",
    description="Fréchet Inception Distance (Inception 2015-12-05 pool3) to the reference split",
    default=False,
)
def fid_metric(ctx: EvalContext) -> MetricResult:
    """FID of the generated samples against the cached real statistics."""
    pair = _pair(ctx, _inception(ctx))
    return MetricResult(_fid(pair), pair.protocol())


@register_metric(
    "fid_infinity",
    higher_is_better=False,
    requires={"images"},
    version="1",
    description="FID extrapolated to infinitely many samples (Chong & Forsyth 2020)",
    default=False,
)
def fid_infinity_metric(ctx: EvalContext) -> MetricResult:
    """Intercept of FID_N against 1/N; the protocol holds the fit."""
    pair = _pair(ctx, _inception(ctx))
    res = fid_infinity(
        pair.real.mu,
        pair.real.sigma,
        pair.fake.features,
        n_points=_options(ctx).fid_infinity_points,
    )
    note = None
    if res.ns[0] <= pair.extractor.dim:
        note = (
            f"the fit uses N from {res.ns[0]} to {res.ns[-1]}, partly at or below the feature "
            f"dimension {pair.extractor.dim} where FID_N is not yet linear in 1/N; Chong & "
            "Forsyth fit N from 5,000 to 50,000 (use more eval samples)"
        )
    return MetricResult(res.value, pair.protocol(**res.protocol(), subset_seed=0), note)


@register_metric(
    "kid",
    higher_is_better=False,
    requires={"images"},
    version="1",
    description="Kernel Inception Distance: unbiased cubic-kernel MMD² averaged over subsets",
    default=False,
)
def kid_metric(ctx: EvalContext) -> MetricResult:
    """KID mean over subsets; the std is in the protocol."""
    o, pair = _options(ctx), _pair(ctx, _inception(ctx))
    real = pair.real_features("kid")
    size = min(o.kid_subset_size, len(real), len(pair.fake.features))
    mean, std = kernel_inception_distance(
        real, pair.fake.features, subsets=o.kid_subsets, subset_size=size, seed=0
    )
    proto = pair.protocol(std=std, subsets=o.kid_subsets, subset_size=size, kernel="(x·y/d + 1)^3")
    return MetricResult(mean, {**proto, "subset_seed": 0})


def _register_prdc(name: str, description: str) -> None:
    def metric(ctx: EvalContext) -> MetricResult:
        values, proto = _prdc(ctx)
        return MetricResult(values[name], proto)

    metric.__doc__ = description
    register_metric(
        name,
        higher_is_better=True,
        requires={"images"},
        version="2",  # 2: a seeded random subset of the larger set, not its first rows
        description=description,
        default=False,
    )(metric)


_register_prdc(
    "precision", "Fraction of generated samples inside the real k-NN manifold (Inception)"
)
_register_prdc("recall", "Fraction of real samples inside the generated k-NN manifold (Inception)")
_register_prdc("density", "Mean count of real k-NN balls holding each generated sample, / k")
_register_prdc("coverage", "Fraction of real k-NN balls holding at least one generated sample")


@register_metric(
    "is",
    higher_is_better=True,
    requires={"images"},
    version="1",
    description="Inception Score (TF convention: 1008 logits, 10 contiguous splits)",
    default=False,
)
def is_metric(ctx: EvalContext) -> MetricResult:
    """IS of the generated samples; NaN with the reason when the classifier weights are absent."""
    extractor, splits = _inception(ctx, need_logits=True), _options(ctx).is_splits
    if not extractor.has_logits:
        n_fake = int(_fake_samples(ctx, extractor).shape[0])
        proto = {**extractor.protocol(), "n_fake": n_fake, "splits": splits}
        note = (
            f"not computed: IS needs the 1008-way Inception classifier in pytorch-fid's "
            f"{PYTORCH_FID_FILE} (put it at {hub_cache_path()} or pass eval.options."
            f"inception_weights); the weights found ({proto.get('weights_origin', 'unknown')}) "
            "are the pool3-only TorchScript"
        )
        return MetricResult(math.nan, proto, note)
    return _is_result(extractor, _fake(ctx, extractor), splits)


@register_metric(
    "classifier_fid",
    higher_is_better=False,
    requires={"images", "labels"},
    version="1",
    description="FID in the features of a CNN trained on the dataset (not an Inception FID)",
    default=False,
)
def classifier_fid_metric(ctx: EvalContext) -> MetricResult:
    """FID on the domain classifier's 128-d penultimate features."""
    pair = _pair(ctx, _classifier(ctx))
    return MetricResult(_fid(pair), pair.protocol())


@register_metric(
    "classifier_is",
    higher_is_better=True,
    requires={"images", "labels"},
    version="1",
    description="Inception-Score formula on a CNN trained on the dataset (max = n_classes)",
    default=False,
)
def classifier_is_metric(ctx: EvalContext) -> MetricResult:
    """IS formula on the domain classifier's class probabilities."""
    extractor = _classifier(ctx)
    return _is_result(extractor, _fake(ctx, extractor), _options(ctx).is_splits)
