"""``ganbench eval`` on a 10k reference: the cached real side and the fake side's images/s.

The command a user runs, through ``ganbench.cli.main``:

    ganbench eval fake.npz --against fashion-mnist:test --protocol ttur-10k \
        --metrics fid kid -n N_FAKE

twice, in a fresh ``$GANBENCH_CACHE``. The reference is the whole Fashion-MNIST test
split (10,000 images, the ``ttur-10k`` preset's ``n_real``); the fake side is the first
``N_FAKE`` training images stored as a uint8 NHWC ``.npz`` (``GANBENCH_BENCH_EVAL_FAKE``,
default 1,000). Every Inception pass is counted by wrapping
``InceptionExtractor.extract``: the first run must extract 10,000 + N_FAKE images, the
second N_FAKE only (its reference statistics come from the cache). The fake side's
images/s is N_FAKE over the second run's Inception time; the second run's wall time is
reported beside it. Needs ``apt-get install dataset-fashion-mnist``; skipped otherwise.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ganbench.cli import main
from ganbench.datasets.image_files import read_idx
from ganbench.datasets.images import DEBIAN_FASHION_MNIST
from ganbench.metrics.features import InceptionExtractor

pytestmark = pytest.mark.bench

N_FAKE = int(os.environ.get("GANBENCH_BENCH_EVAL_FAKE", "1000"))
N_REAL = 10000  # the fashion-mnist test split, all of it (ttur-10k's n_real)


def _train_images(n: int) -> np.ndarray:
    path = DEBIAN_FASHION_MNIST / "train-images-idx3-ubyte.gz"
    if not path.exists():
        pytest.skip(f"{path} missing: apt-get install -y dataset-fashion-mnist")
    return read_idx(path)[:n, :, :, None].astype(np.uint8)  # NHWC uint8


class _Counter:
    """Images and seconds per call of ``InceptionExtractor.extract``."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, float]] = []

    def wrap(self, original: Any) -> Any:
        def extract(extractor: Any, images: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            out = original(extractor, images, **kwargs)
            self.calls.append((int(images.shape[0]), time.perf_counter() - t0))
            return out

        return extract

    def take(self) -> list[tuple[int, float]]:
        calls, self.calls = self.calls, []
        return calls


def test_eval_10k_reference(benchmark: Any, tmp_path: Path, monkeypatch: Any) -> None:
    fake = tmp_path / "fake.npz"
    np.savez(fake, _train_images(N_FAKE))
    monkeypatch.setenv("GANBENCH_CACHE", str(tmp_path / "cache"))
    counter = _Counter()
    monkeypatch.setattr(InceptionExtractor, "extract", counter.wrap(InceptionExtractor.extract))

    def run(name: str) -> float:
        argv = [
            "eval",
            str(fake),
            "--against",
            "fashion-mnist:test",
            "--protocol",
            "ttur-10k",
            "--metrics",
            "fid",
            "kid",
            "-n",
            str(N_FAKE),
            "--name",
            name,
            "--results",
            str(tmp_path / "results"),
            "--reports",
            str(tmp_path / "reports"),
            "--device",
            "cpu",
        ]
        t0 = time.perf_counter()
        rc = main(argv)
        if rc != 0:
            raise RuntimeError(f"ganbench {' '.join(argv)} exited {rc}")
        return time.perf_counter() - t0

    first_s = run("first")
    first = counter.take()
    second_s = benchmark.pedantic(lambda: run("second"), rounds=1, iterations=1)
    second_s = benchmark.stats.stats.min
    second = counter.take()

    assert sorted(n for n, _ in first) == sorted([N_FAKE, N_REAL]), first
    assert [n for n, _ in second][-1:] == [N_FAKE], second
    reference_images = sum(n for n, _ in second[:-1])  # anything before the fake pass
    fake_s = second[-1][1]
    real_s = next(s for n, s in first if n == N_REAL)
    rate = N_FAKE / fake_s
    benchmark.extra_info.update(
        note=(
            f"`ganbench eval` of {N_FAKE} Fashion-MNIST 28×28 images (uint8 .npz) against "
            f"fashion-mnist:test ({N_REAL} images) under the ttur-10k protocol, metrics FID "
            "and KID, CPU, twice in a fresh cache: the first run extracts both sides, the "
            "second reads the reference statistics from the cache (Inception passes counted)"
        ),
        n_fake=N_FAKE,
        n_real=N_REAL,
        first_run_s=round(first_s, 1),
        first_run_real_images_per_s=round(N_REAL / real_s, 2),
        second_run_s=round(second_s, 1),
        second_run_inception_images=sum(n for n, _ in second),
        fake_images_per_s=round(rate, 2),
        target={
            "name": "second `ganbench eval` run: reference images through Inception",
            "value": f"{reference_images} (first run {N_REAL}; fake side {rate:.1f} images/s)",
            "goal": "0",
            "met": reference_images == 0,
        },
    )
    assert reference_images == 0, second
