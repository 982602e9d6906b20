"""Bias, spread and cost of the divergence estimators against exact values, vs sample size.

Usage::

    python benchmarks/divergence_accuracy.py [--seeds 5] [--out FILE.json]

Prints one markdown table (docs/divergences.md quotes it) and writes the raw
numbers as JSON. Each row: a case (two known densities), a divergence, a method,
n samples from each side, the exact value (``method="exact"``), the mean estimate
over seeds, its relative bias, its standard deviation over seeds and the median
wall time of one estimate.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.metrics.divergence import GaussianMixtureDensity as GMD
from ganbench.metrics.divergence import estimate_divergence, estimate_divergences

log = logging.getLogger("divergence_accuracy")


def _ring(k: int, radius: float, sd: float) -> GMD:
    ang = 2 * np.pi * np.arange(k) / k
    means = radius * np.column_stack([np.cos(ang), np.sin(ang)])
    return GMD.create(np.ones(k) / k, means, np.full(k, sd * sd))


CASES: dict[str, tuple[GMD, GMD]] = {
    "2-D shift": (GMD.gaussian([0, 0], 1.0), GMD.gaussian([1, 0], 1.0)),
    "2-D shift+scale": (GMD.gaussian([0, 0], 1.0), GMD.gaussian([1, 0], [2.0, 0.5])),
    "10-D shift": (GMD.gaussian(np.zeros(10), 1.0), GMD.gaussian(np.eye(10)[0], 1.0)),
    "ring sd .05 vs .07": (_ring(8, 2.0, 0.05), _ring(8, 2.0, 0.07)),
}
F_DIVS = ["kl", "reverse_kl", "js", "hellinger", "tv", "pearson"]
# (method, divergences, options, sample sizes, case names)
PLAN: list[tuple[str, list[str], dict[str, Any], list[int], list[str]]] = [
    ("knn", ["kl", "reverse_kl"], {"k": 1}, [500, 2000, 10000], list(CASES)),
    ("knn", ["kl", "reverse_kl"], {"k": 5}, [500, 2000, 10000], list(CASES)),
    ("ratio", F_DIVS, {}, [500, 2000, 10000], list(CASES)),
    ("ratio", ["kl", "reverse_kl", "js"], {}, [20000], ["2-D shift", "2-D shift+scale"]),
    ("variational", ["js", "kl"], {}, [2000, 10000], ["2-D shift", "2-D shift+scale"]),
    ("mmd", ["mmd"], {"bandwidth": 1.0, "permutations": 0}, [500, 2000, 5000], list(CASES)),
    ("ot", ["w1", "w2"], {}, [500, 2000], ["2-D shift", "2-D shift+scale", "10-D shift"]),
    ("sliced", ["w1"], {}, [2000], ["2-D shift"]),
]


def truth(case: str, div: str) -> float:
    """The exact value (closed form, quadrature or 10⁶-sample Monte Carlo)."""
    p, q = CASES[case]
    if div == "w1":
        if case.endswith("shift"):
            return 1.0  # a pure translation moves every point by |Δ| = 1
        return math.nan
    opts: dict[str, Any] = {"bandwidth": 1.0} if div == "mmd" else {"n_mc": 1_000_000}
    if div in ("w2", "mmd"):
        opts.pop("n_mc", None)
    try:
        return estimate_divergence(p, q, div, method="exact", **opts).value
    except ValueError:
        return math.nan


def run(seeds: int) -> list[dict[str, Any]]:
    """Every (plan row, case, n, seed); one dict per (case, divergence, method, n)."""
    rows = []
    for method, divs, opts, sizes, cases in PLAN:
        for case in cases:
            p, q = CASES[case]
            exact = {d: truth(case, d) for d in divs}
            for n in sizes:
                vals: dict[str, list[float]] = {d: [] for d in divs}
                times = []
                for seed in range(seeds):
                    rng = np.random.default_rng(1000 + seed)
                    xp, xq = p.sample(n, rng), q.sample(n, rng)
                    t0 = time.perf_counter()
                    est = estimate_divergences(xp, xq, divs, method, seed, **opts)
                    times.append(time.perf_counter() - t0)
                    for d in divs:
                        vals[d].append(est[d].value)
                for d in divs:
                    v = vals[d]
                    mean = statistics.fmean(v)
                    row = {
                        "case": case,
                        "divergence": d,
                        "method": method + (f" k={opts['k']}" if "k" in opts else ""),
                        "n": n,
                        "truth": exact[d],
                        "mean": mean,
                        "rel_bias": (mean - exact[d]) / exact[d] if exact[d] else math.nan,
                        "sd": statistics.stdev(v) if len(v) > 1 else math.nan,
                        "seconds": statistics.median(times),
                        "values": v,
                    }
                    rows.append(row)
                    log.info("%s", {k: row[k] for k in row if k != "values"})
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    """The rows as a markdown table."""
    out = [
        "| case | divergence | method | n | exact | mean | bias | sd | s/estimate |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(
            f"| {r['case']} | {r['divergence']} | {r['method']} | {r['n']} "
            f"| {r['truth']:.4g} | {r['mean']:.4g} | {100 * r['rel_bias']:+.1f}% "
            f"| {r['sd']:.2g} | {r['seconds']:.2f} |"
        )
    return "\n".join(out)


def main() -> None:
    """Run the plan and print the table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--out", default="benchmarks/results/divergence_accuracy.json")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(1)
    rows = run(args.seeds)
    Path(args.out).write_text(json.dumps(rows, indent=1))
    print(markdown(rows))


if __name__ == "__main__":
    main()
