"""The report of a divergence-fit suite: the fits drawn over the target, and the coverage table.

``fit_table(records)`` is the tidy table (one row per fit), ``plot_fits`` draws
one panel per fit (the target's data as a 2-D histogram, the fitted Gaussian's
density contours in white, the target's density modes as red crosses, as in
Theis et al.'s Figure 1), and ``render_fit_report`` writes
``<out_dir>/index.html`` and ``<out_dir>/figures/fits.png``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ganbench import __version__
from ganbench.fits.target import FIT_TARGETS, theis_data
from ganbench.runner.store import atomic_write_text

PLOT_BOX = (-5.0, 7.0, -5.0, 7.0)  # the original code's plot range
N_PLOT = 100_000


def _ok(records: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [r for r in records if r.get("status") == "ok"]


def fit_table(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per successful fit: objective, b, a, coverage and every objective at the fit."""
    rows = []
    for rec in _ok(records):
        res, cov = rec["result"], rec["result"]["coverage"]
        row: dict[str, Any] = {
            "objective": rec["coords"]["objective"],
            "b": tuple(round(v, 4) for v in res["b"]),
            "a": res["a"],
            "behaviour": cov["behaviour"],
            "modes_inside": cov["modes_inside"],
            "missed_modes": cov["missed"],
            "p_mass_inside_3a": cov["p_mass_inside"],
            "E_q log p": cov["e_q_log_p"],
            "E_p log q": cov["e_p_log_q"],
            "local_optima": len(res["local_optima"]),
        }
        row.update({f"at fit: {k}": v for k, v in res["objectives_at_fit"].items()})
        rows.append(row)
    return pd.DataFrame(rows)


def target_points(record: Mapping[str, Any], n: int = N_PLOT) -> np.ndarray:
    """Data to draw under the fits: the authors' sample for ``theis-mixture``, else a sample."""
    tgt = record["config"]["target"]
    if tgt["name"] == "theis-mixture":
        return theis_data(n, **tgt["params"])
    density = FIT_TARGETS.get(tgt["name"])(**tgt["params"])
    return density.sample(n, np.random.default_rng(0))


def plot_fits(records: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """One panel per fit: data histogram, the fit's density contours, the density modes."""
    ok = _ok(records)
    if not ok:
        raise ValueError("no successful fits to draw")
    data = target_points(ok[0])
    x0, x1, y0, y1 = PLOT_BOX
    hist, xe, ye = np.histogram2d(data[:, 0], data[:, 1], 80, range=[(x0, x1), (y0, y1)])
    xx, yy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    fig, axes = plt.subplots(
        1, len(ok), figsize=(3.2 * len(ok), 3.8), squeeze=False, layout="constrained"
    )
    for ax, rec in zip(axes[0], ok, strict=True):
        res = rec["result"]
        b, a = np.asarray(res["b"]), res["a"]
        dens = np.exp(-((xx - b[0]) ** 2 + (yy - b[1]) ** 2) / (2 * a * a))
        ax.imshow(hist.T[::-1], extent=(xe[0], xe[-1], ye[0], ye[-1]), cmap="YlGnBu_r")
        ax.contour(xx, yy, dens, 7, colors="w", alpha=0.8, linewidths=0.8)
        modes = np.array([m["x"] for m in res["modes"]])
        ax.scatter(modes[:, 0], modes[:, 1], marker="x", c="red", s=30, linewidths=1.2)
        cov = res["coverage"]
        ax.set_title(f"{rec['coords']['objective']}: a = {a:.2f}\n{cov['behaviour']}", fontsize=9)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list | tuple):
        return ", ".join(_fmt(x) for x in v) or "–"
    return str(v)


def render_fit_report(
    suite_name: str,
    records: Sequence[Mapping[str, Any]],
    out_dir: str | Path,
    *,
    suite_path: str | None = None,
    suite_hash: str | None = None,
    paper: dict[str, Any] | None = None,
) -> Path:
    """Write ``<out_dir>/index.html`` and ``<out_dir>/figures/fits.png``; return the HTML path."""
    out = Path(out_dir)
    table = fit_table(records)
    figure = None
    if len(table):
        plot_fits(records, out / "figures" / "fits.png")
        figure = "figures/fits.png"
    env = Environment(
        loader=PackageLoader("ganbench", "fits/templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    ok = _ok(records)
    html = env.get_template("fit_report.html.j2").render(
        suite=suite_name,
        suite_path=suite_path,
        suite_hash=suite_hash,
        paper=paper or {},
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        version=__version__,
        columns=list(table.columns),
        rows=[[_fmt(v) for v in row] for row in table.itertuples(index=False)],
        figure=figure,
        target=ok[0]["config"]["target"] if ok else None,
        modes=ok[0]["result"]["modes"] if ok else [],
        failures=[r for r in records if r.get("status") != "ok"],
        environment=records[0].get("environment", {}) if records else {},
    )
    path = out / "index.html"
    atomic_write_text(path, html)
    return path
