"""benchmarks/write_readme.py renders any pytest-benchmark JSON, targets included."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _module():
    spec = importlib.util.spec_from_file_location(
        "write_readme", ROOT / "benchmarks" / "write_readme.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _bench(name, extra, median=1.5):
    return {
        "group": None,
        "name": name,
        "fullname": f"benchmarks/test_bench_x.py::{name}",
        "extra_info": extra,
        "stats": {"median": median, "min": median / 2, "rounds": 3},
    }


def _write(path, benches, when="2026-01-02T03:04:05"):
    data = {
        "machine_info": {"cpu": {"brand_raw": "Test CPU", "count": 2}, "python_version": "3.11"},
        "commit_info": {"id": "abcdef1234567", "dirty": True},
        "datetime": when,
        "benchmarks": benches,
    }
    path.write_text(json.dumps(data))
    return path


def test_readme_has_machine_figures_load_and_targets(tmp_path):
    wr = _module()
    a = _write(
        tmp_path / "a.json",
        [
            _bench(
                "test_speed",
                {
                    "note": "steps per second",
                    "steps_per_s": 123.456,
                    "load_1m_before": 1.5,
                    "load_1m_after": 2.5,
                    "threads": 2,
                    "target": {"name": "speed-up", "value": "2.5×", "goal": "≥ 2×", "met": True},
                },
            ),
            _bench("test_old", {"x": 1}),
        ],
    )
    b = _write(
        tmp_path / "b.json",
        [
            _bench(
                "test_old",
                {"targets": [{"name": "fid", "value": 0.1, "goal": "< 0.01", "met": False}]},
            )
        ],
        when="2026-01-03T00:00:00",
    )
    (tmp_path / "NOTES.md").write_text("## Notes\n\nhand-written")
    text = wr.render([a, b], tmp_path / "NOTES.md")
    assert "Test CPU, 2 cores" in text and "abcdef1234 (dirty)" in text
    assert "2026-01-02T03:04, 2026-01-03T00:00" in text
    assert "| steps_per_s | 123.5 |" in text
    assert "| 1-min load before → after | 1.5 → 2.5 |" in text
    assert "1.5 s (750 ms), 3 rounds" in text
    assert wr.fmt_seconds(1167) == "19.4 min"
    assert "- **met**: speed-up: 2.5× (target ≥ 2×; `test_speed`)" in text
    assert "- **NOT met**: fid: 0.1 (target < 0.01; `test_old`)" in text
    assert "| x |" not in text  # the later file's test_old replaced the earlier one
    assert "1.50 – 2.50" in text and text.index("## Targets") < text.index("hand-written")


def test_cli_writes_the_file_and_rejects_missing_input(tmp_path, capsys):
    wr = _module()
    src = _write(tmp_path / "r.json", [_bench("test_a", {"v": 1.0})])
    out = tmp_path / "README.md"
    assert wr.main([str(src), "-o", str(out), "--notes", str(tmp_path / "none.md")]) == 0
    assert out.read_text().startswith("# Benchmarks")
    assert wr.main([str(tmp_path / "missing.json"), "-o", str(out)]) == 2
    assert "no such file" in capsys.readouterr().err
