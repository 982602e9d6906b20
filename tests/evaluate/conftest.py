"""Fixtures for the evaluation tests: small image folders and a stub Inception."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganbench.evaluate import export as export_module
from ganbench.metrics import sample_quality
from tests.metrics.helpers import PixelExtractor


def write_pngs(folder: Path, n: int, *, seed: int, size: int = 16, shift: int = 0) -> Path:
    """``n`` random RGB PNGs (a smooth pattern plus noise) in ``folder``; returns it."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    yy, xx = np.mgrid[0:size, 0:size]
    for i in range(n):
        base = (xx * 7 + yy * 3 + shift + rng.integers(0, 60)) % 256
        img = np.stack([base, (base + 80) % 256, (255 - base)], axis=-1)
        img = np.clip(img + rng.integers(-20, 21, img.shape), 0, 255).astype(np.uint8)
        Image.fromarray(img).save(folder / f"img_{i:03d}.png")
    return folder


@pytest.fixture
def stub_inception(monkeypatch):
    """Replace the Inception backbone by a 16-d pixel projection; returns the made extractors."""
    made: list[PixelExtractor] = []

    def factory(*args, need_logits=False, **kwargs):
        ext = PixelExtractor(has_logits=False, name="inception-stub")
        made.append(ext)
        return ext

    monkeypatch.setattr(sample_quality, "inception_extractor", factory)
    monkeypatch.setattr(export_module, "inception_extractor", factory)
    return made


@pytest.fixture(autouse=True)
def cache_root(tmp_path, monkeypatch):
    """A private ``$GANBENCH_CACHE`` per test."""
    root = tmp_path / "cache"
    monkeypatch.setenv("GANBENCH_CACHE", str(root))
    return root
