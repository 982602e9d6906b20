"""Accuracy of the ``ratio`` estimator's KL and reverse KL on Gaussian pairs (issue 12, bug 6).

Usage::

    python benchmarks/ratio_gaussians.py [--n 1000 3000] [--seeds 5] [--out FILE.json]

For each pair, n and seed: the estimate, its reported stderr, the exact value
(closed form, ``method="exact"``) and the z-score (estimate − truth)/stderr.
The pairs are not the ones the tests draw. Prints a markdown table
(docs/divergences.md quotes it) with the mean estimate, the sd over seeds,
the mean reported stderr and how many |z| ≤ 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.metrics.divergence import GaussianMixtureDensity as GMD
from ganbench.metrics.divergence import estimate_divergence, estimate_divergences

log = logging.getLogger("ratio_gaussians")

PAIRS: dict[str, tuple[GMD, GMD]] = {
    "2-D N(0,I) vs N(e1, diag(2, 1/2))": (
        GMD.gaussian([0, 0], 1.0),
        GMD.gaussian([1, 0], [2.0, 0.5]),
    ),
    "1-D N(0,1) vs N(0.5, 1.5²)": (GMD.gaussian([0.0], 1.0), GMD.gaussian([0.5], 2.25)),
    "3-D N(0,I) vs N((.5,.5,0), diag(.6, 1.5, 1))": (
        GMD.gaussian([0, 0, 0], 1.0),
        GMD.gaussian([0.5, 0.5, 0.0], [0.6, 1.5, 1.0]),
    ),
}
DIVS = ["kl", "reverse_kl"]


def run(ns: list[int], seeds: int) -> list[dict[str, Any]]:
    """One row per (pair, n, seed, divergence)."""
    rows = []
    for name, (p, q) in PAIRS.items():
        truth = {d: estimate_divergence(p, q, d).value for d in DIVS}
        for n in ns:
            for seed in range(seeds):
                rng = np.random.default_rng(7000 + seed)
                t = time.perf_counter()
                est = estimate_divergences(p.sample(n, rng), q.sample(n, rng), DIVS, "ratio", seed)
                wall = time.perf_counter() - t
                for d in DIVS:
                    e = est[d]
                    z = (e.value - truth[d]) / e.stderr if e.stderr else float("nan")
                    rows.append(
                        {
                            "pair": name,
                            "n": n,
                            "seed": seed,
                            "divergence": d,
                            "truth": truth[d],
                            "value": e.value,
                            "stderr": e.stderr,
                            "z": z,
                            "seconds": wall,
                        }
                    )
                log.info("%s n=%d seed=%d %.1fs", name, n, seed, wall)
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    """The summary table: one line per (pair, divergence, n)."""
    out = [
        "| pair | divergence | n | truth | estimate ± stderr, per seed | mean ± sd over seeds "
        "| mean stderr | \\|z\\| ≤ 2 |",
        "|---|---|---:|---:|---|---:|---:|---:|",
    ]
    keys = sorted({(r["pair"], r["divergence"], r["n"]) for r in rows})
    for pair, div, n in keys:
        sel = [r for r in rows if (r["pair"], r["divergence"], r["n"]) == (pair, div, n)]
        vals = [r["value"] for r in sel]
        sd = statistics.stdev(vals) if len(vals) > 1 else float("nan")
        se = statistics.mean(r["stderr"] for r in sel)
        cover = sum(abs(r["z"]) <= 2 for r in sel)
        each = ", ".join(f"{r['value']:.3f} ± {r['stderr']:.3f}" for r in sel)
        out.append(
            f"| {pair} | {div} | {n} | {sel[0]['truth']:.3f} | {each} | "
            f"{statistics.mean(vals):.3f} ± {sd:.3f} | {se:.3f} | {cover}/{len(sel)} |"
        )
    return "\n".join(out)


def main() -> None:
    """Run, print the table, write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, nargs="+", default=[1000, 3000])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--out", default="benchmarks/results/ratio_gaussians.json")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(1)
    rows = run(args.n, args.seeds)
    Path(args.out).write_text(json.dumps(rows, indent=1))
    print(markdown(rows))


if __name__ == "__main__":
    main()
