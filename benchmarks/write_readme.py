"""Turn pytest-benchmark JSON into ``benchmarks/README.md``.

Usage::

    python benchmarks/write_readme.py benchmarks/results.json [more.json ...] [-o README.md]

Several JSON files are merged (a benchmark in a later file replaces one with
the same name in an earlier file), so a long benchmark measured separately can
be added to a full run. The README holds the machine, the date, one table per
benchmark with its timing and every ``extra_info`` figure, and a closing list
of targets, each met or not with its number. Conventions for ``extra_info``:

* ``note``: one sentence shown above the table;
* ``target`` or ``targets``: ``{"name", "value", "goal", "met"}`` (or a list of
  them), collected into the closing section;
* ``load_1m_before`` / ``load_1m_after``: the machine load (added by
  ``benchmarks/conftest.py``);
* anything else (numbers, short strings, flat dicts) is a figure.

``benchmarks/NOTES.md``, when present, is appended verbatim (hand-written
analysis that survives regeneration).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SPECIAL = {"note", "target", "targets", "load_1m_before", "load_1m_after"}


def load_runs(paths: Sequence[Path]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The runs (file headers) and the merged benchmarks of ``paths``."""
    runs, merged = [], {}
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        runs.append(data)
        for bench in data.get("benchmarks", []):
            bench = {**bench, "_datetime": data.get("datetime", "")}
            merged[bench["fullname"]] = bench
    return runs, list(merged.values())


def fmt_value(value: Any) -> str:
    """Numbers to 4 significant digits, dicts as ``k=v`` lists, the rest as text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.3e}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={fmt_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(fmt_value(v) for v in value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def fmt_seconds(seconds: float) -> str:
    """``19.5 min``, ``1.23 s``, ``45.6 ms`` or ``789 µs``."""
    if seconds >= 120:
        return f"{seconds / 60:.3g} min"
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def machine_section(runs: Sequence[dict[str, Any]], benches: Sequence[dict[str, Any]]) -> str:
    """The machine table (from the first run's header) and the load range."""
    info = runs[0].get("machine_info", {}) if runs else {}
    cpu = info.get("cpu", {})
    commit = runs[0].get("commit_info", {}) if runs else {}
    loads = [
        b["extra_info"][k]
        for b in benches
        for k in ("load_1m_before", "load_1m_after")
        if isinstance(b.get("extra_info", {}).get(k), int | float)
    ]
    threads = sorted({b["extra_info"]["threads"] for b in benches if "threads" in b["extra_info"]})
    rows = [
        (
            "CPU",
            f"{cpu.get('brand_raw', info.get('processor', '?'))}, {cpu.get('count', '?')} cores",
        ),
        ("torch threads", ", ".join(map(str, threads)) or "?"),
        ("Python", f"{info.get('python_implementation', '')} {info.get('python_version', '')}"),
        (
            "platform",
            f"{info.get('system', '')} {info.get('release', '')} {info.get('machine', '')}",
        ),
        ("commit", f"{commit.get('id', '?')[:10]}{' (dirty)' if commit.get('dirty') else ''}"),
        ("dates", ", ".join(sorted({r.get("datetime", "?")[:16] for r in runs}))),
    ]
    if loads:
        rows.append(("1-min load average during the runs", f"{min(loads):.2f} – {max(loads):.2f}"))
    lines = ["| | |", "|---|---|"] + [f"| {k} | {fmt_value(v)} |" for k, v in rows]
    return "## Machine\n\n" + "\n".join(lines) + "\n"


def _targets(extra: dict[str, Any]) -> list[dict[str, Any]]:
    raw = extra.get("targets", extra.get("target"))
    if raw is None:
        return []
    return [t for t in (raw if isinstance(raw, list) else [raw]) if isinstance(t, dict)]


def bench_section(bench: dict[str, Any]) -> str:
    """One benchmark: its note, timing, figures and load."""
    extra = bench.get("extra_info", {})
    stats = bench.get("stats", {})
    out = [f"### `{bench['name']}`", ""]
    if extra.get("note"):
        out += [fmt_value(extra["note"]) + ".", ""]
    out += ["| figure | value |", "|---|---|"]
    if stats:
        out.append(
            f"| time per round: median (min) | {fmt_seconds(stats['median'])} "
            f"({fmt_seconds(stats['min'])}), {stats.get('rounds', '?')} rounds |"
        )
    for key, value in extra.items():
        if key not in SPECIAL and key != "threads":
            out.append(f"| {key} | {fmt_value(value)} |")
    if "load_1m_before" in extra:
        load = f"{fmt_value(extra['load_1m_before'])} → {fmt_value(extra.get('load_1m_after'))}"
        out.append(f"| 1-min load before → after | {load} |")
    return "\n".join(out) + "\n"


def targets_section(benches: Iterable[dict[str, Any]]) -> str:
    """The closing list: every target, met or not, with its number."""
    lines = []
    for bench in benches:
        for t in _targets(bench.get("extra_info", {})):
            mark = "met" if t.get("met") else "NOT met"
            lines.append(
                f"- **{mark}**: {t.get('name', bench['name'])}: {fmt_value(t.get('value'))} "
                f"(target {fmt_value(t.get('goal', '?'))}; `{bench['name']}`)"
            )
    if not lines:
        return ""
    return "## Targets\n\n" + "\n".join(lines) + "\n"


def render(paths: Sequence[Path], notes: Path | None = None) -> str:
    """The whole README text."""
    runs, benches = load_runs(paths)
    groups: dict[str, list[dict[str, Any]]] = {}
    for bench in benches:
        module = bench["fullname"].split("::")[0].rsplit("/", 1)[-1]
        groups.setdefault(bench.get("group") or module, []).append(bench)
    parts = [
        "# Benchmarks\n",
        "Generated by `benchmarks/write_readme.py` from pytest-benchmark JSON "
        "(`nox -s bench`); do not edit by hand — re-run to update. Figures were measured on "
        "the machine below; when its load average exceeds its core count the machine was "
        "shared and every timing is inflated accordingly.\n",
        machine_section(runs, benches),
    ]
    for group, items in groups.items():
        parts.append(f"## {group}\n")
        parts += [bench_section(b) for b in items]
    tail = targets_section(benches)
    if tail:
        parts.append(tail)
    if notes is not None and notes.is_file():
        parts.append(notes.read_text(encoding="utf-8").strip() + "\n")
    parts.append(
        "## Re-running\n\n```bash\nnox -s bench\n# or, in an environment with ganbench[test,fid]:\n"
        "python -m pytest benchmarks -m bench -p no:cacheprovider "
        "--benchmark-json benchmarks/results.json\n"
        "python benchmarks/write_readme.py benchmarks/results.json\n```\n"
    )
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("json", nargs="+", type=Path, help="pytest-benchmark JSON file(s)")
    p.add_argument("-o", "--output", type=Path, default=HERE / "README.md")
    p.add_argument("--notes", type=Path, default=HERE / "NOTES.md")
    args = p.parse_args(argv)
    missing = [str(j) for j in args.json if not j.is_file()]
    if missing:
        sys.stderr.write(f"write_readme: no such file: {', '.join(missing)}\n")
        return 2
    args.output.write_text(render(args.json, args.notes), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
