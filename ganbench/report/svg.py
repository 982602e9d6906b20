"""Small inline SVG charts for the per-run pages (a suite has many runs; matplotlib is slow).

Every number is formatted here and every text is escaped with
:func:`markupsafe.escape`, so the returned markup is safe to embed as it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from markupsafe import Markup, escape

from ganbench.report.format import fmt_num

W, H = 300, 200
PAD_L, PAD_R, PAD_T, PAD_B = 46, 10, 24, 30
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


def _tick(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e7 else fmt_num(v)


def _range(values: np.ndarray) -> tuple[float, float]:
    v = values[np.isfinite(values)]
    if not len(v):
        return (0.0, 1.0)
    lo, hi = float(v.min()), float(v.max())
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    return lo, hi


Range = tuple[float, float]


def _frame(title: str, x: Range, y: Range, xlabel: str, w: int, h: int) -> list[str]:
    x0, x1, y0, y1 = PAD_L, w - PAD_R, PAD_T, h - PAD_B
    t = escape(title)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-label="{t}" class="chart">',
        f'<text x="{w / 2:.0f}" y="15" text-anchor="middle" font-size="12">{t}</text>',
        f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="none" stroke="#999"/>',
        f'<text x="{x0 - 4}" y="{y0 + 9}" text-anchor="end" font-size="9">{fmt_num(y[1])}</text>',
        f'<text x="{x0 - 4}" y="{y1}" text-anchor="end" font-size="9">{fmt_num(y[0])}</text>',
        f'<text x="{x0}" y="{y1 + 12}" text-anchor="start" font-size="9">{_tick(x[0])}</text>',
        f'<text x="{x1}" y="{y1 + 12}" text-anchor="end" font-size="9">{_tick(x[1])}</text>',
        f'<text x="{(x0 + x1) / 2:.0f}" y="{h - 4}" text-anchor="middle" font-size="10">'
        f"{escape(xlabel)}</text>",
    ]


def _mapper(x: Range, y: Range, w: int, h: int) -> tuple[Callable[[float], float], ...]:
    sx = (w - PAD_R - PAD_L) / (x[1] - x[0])
    sy = (h - PAD_B - PAD_T) / (y[1] - y[0])
    return (lambda v: PAD_L + (v - x[0]) * sx), (lambda v: h - PAD_B - (v - y[0]) * sy)


def line_chart(title: str, steps: Sequence[float], values: Sequence[float]) -> Markup:
    """One curve (NaN/inf points break the line) as an SVG element."""
    xs = np.asarray(steps, dtype=np.float64)
    ys = np.asarray(values, dtype=np.float64)
    xr, yr = _range(xs), _range(ys)
    fx, fy = _mapper(xr, yr, W, H)
    parts = _frame(title, xr, yr, "step", W, H)
    segment: list[str] = []
    segments = [segment]
    for a, b in zip(xs, ys, strict=True):
        if math.isfinite(a) and math.isfinite(b):
            segment.append(f"{fx(a):.1f},{fy(b):.1f}")
        elif segment:
            segment = []
            segments.append(segment)
    for seg in segments:
        if seg:
            parts.append(
                f'<polyline fill="none" stroke="{COLORS[0]}" stroke-width="1.2" '
                f'points="{" ".join(seg)}"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def scatter(title: str, points: np.ndarray, modes: np.ndarray | None) -> Markup:
    """2-D samples (blue dots) over the true mode centres (red crosses), equal axes."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    both = pts if modes is None else np.vstack([pts, np.asarray(modes, dtype=np.float64)])
    finite = both[np.isfinite(both).all(1)]
    span = float(np.abs(finite).max()) * 1.15 + 1e-9 if len(finite) else 1.0
    r = (-span, span)
    side = 240
    fx, fy = _mapper(r, r, side + PAD_L + PAD_R - PAD_B - PAD_T, side)
    parts = _frame(title, r, r, "x₁ (vertical: x₂)", side + PAD_L + PAD_R - PAD_B - PAD_T, side)
    for x, y in pts:
        if math.isfinite(x) and math.isfinite(y) and abs(x) <= span and abs(y) <= span:
            parts.append(
                f'<circle cx="{fx(x):.1f}" cy="{fy(y):.1f}" r="1.2" fill="{COLORS[0]}" '
                'fill-opacity="0.45"/>'
            )
    for x, y in [] if modes is None else np.asarray(modes, dtype=np.float64):
        cx, cy = fx(x), fy(y)
        parts.append(
            f'<path d="M{cx - 3:.1f},{cy - 3:.1f}L{cx + 3:.1f},{cy + 3:.1f}'
            f'M{cx - 3:.1f},{cy + 3:.1f}L{cx + 3:.1f},{cy - 3:.1f}" stroke="{COLORS[3]}"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
