"""``ganbench stats``: extract a reference's Inception statistics and write them to a file."""

from __future__ import annotations

from pathlib import Path

import torch

from ganbench.errors import ConfigError
from ganbench.evaluate.protocols import PROTOCOLS
from ganbench.evaluate.references import Reference, StatsReference
from ganbench.evaluate.statsfile import write_stats
from ganbench.metrics.cache import RealReference, real_reference
from ganbench.metrics.features import inception_extractor


def reference_statistics(
    reference: Reference,
    *,
    protocol: str,
    n_real: int | None = None,
    device: torch.device | str = "cpu",
) -> RealReference:
    """Inception features and statistics of ``reference`` under ``protocol`` (disk-cached)."""
    if isinstance(reference, StatsReference):
        raise ConfigError(f"stats {reference.label}: already a statistics file; give a dataset")
    proto = PROTOCOLS.get(protocol)
    options = proto.resolved_options({} if n_real is None else {"n_real": n_real})
    split = reference.split(options["reference_split"])
    dataset = reference.dataset()
    if dataset.kind != "images":
        raise ConfigError(f"stats {reference.label}: Inception statistics need images")
    extractor = inception_extractor(
        options["preprocessing"],
        weights=options["inception_weights"],
        allow_download=options["allow_download"],
    )
    images = dataset.images_uint8(split)  # type: ignore[attr-defined]
    return real_reference(
        extractor,
        images,
        dataset=getattr(dataset, "name", reference.label),
        split=split,
        n_real=options["n_real"],
        batch_size=options["batch_size"],
        device=device,
    )


def export_stats(
    reference: Reference,
    out: str | Path,
    *,
    protocol: str,
    n_real: int | None = None,
    device: torch.device | str = "cpu",
    with_features: bool = True,
) -> Path:
    """Write ``reference``'s statistics to ``out`` (pytorch-fid's ``.npz`` plus ganbench's keys)."""
    ref = reference_statistics(reference, protocol=protocol, n_real=n_real, device=device)
    meta = {**ref.meta, "protocol": protocol}
    return write_stats(
        out,
        RealReference(ref.features, ref.logits, ref.mu, ref.sigma, meta, ref.path, ref.from_cache),
        with_features=with_features,
    )
