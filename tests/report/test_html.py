"""The rendered report: structure, escaping, relative links, failures shown, run pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from ganbench.report.html import render_report
from tests.report.conftest import EVIL
from tests.report.fakes import fake_record


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        for k, v in attrs:
            if k in ("href", "src") and v is not None:
                self.refs.append((tag, k, v))


def _links(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def _check_local_refs(page: Path) -> int:
    parsed = _links(page)
    checked = 0
    for tag, _attr, ref in parsed.refs:
        if ref.startswith(("#", "data:")):
            continue
        assert not re.match(r"^[a-z]+:", ref) and not ref.startswith("/"), (page, ref)
        target = (page.parent / ref.split("#")[0]).resolve()
        assert target.is_file(), (page.name, tag, ref)
        checked += 1
    return checked


def test_user_strings_are_escaped_everywhere(rendered):
    index = rendered.report.path.read_text()
    assert EVIL not in index and "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert _links(rendered.report.path).scripts == 1  # only the page's own sorting script
    for page in (rendered.out / "runs").glob("*.html"):
        assert EVIL not in page.read_text()
        assert _links(page).scripts == 1
    assert EVIL not in (rendered.out / "leaderboard.md").read_text()
    assert "\\<script\\>" in (rendered.out / "leaderboard.md").read_text()
    assert "\\textless{}script\\textgreater{}" in (rendered.out / "leaderboard.tex").read_text()


def test_links_are_relative_and_resolve(rendered):
    assert _check_local_refs(rendered.report.path) > 30
    pages = sorted((rendered.out / "runs").glob("*.html"))
    assert len(pages) == len(rendered.records)
    for page in pages[:5]:
        assert _check_local_refs(page) >= 2  # back to the index, and its figures/siblings


def test_index_links_every_run_and_run_pages_link_back(rendered):
    index = rendered.report.path.read_text()
    for rec in rendered.records:
        assert f'href="runs/{rec["run_id"]}.html"' in index
    page = (rendered.out / "runs" / f"{rendered.records[0]['run_id']}.html").read_text()
    assert 'href="../index.html#ds-0"' in page
    assert "Configuration (resolved)" in page and "threshold_std" in page


def test_failures_are_shown(rendered):
    index = rendered.report.path.read_text()
    assert "No metric values: every run of this dataset failed" in index
    assert index.count('class="label bad">diverged<') == 2 * 2  # problems + all runs
    assert index.count('class="label bad">failed<') == 3 * 2
    s = rendered.report.summary
    wgan = s[(s.objective == "wgan") & (s.dataset == "ring") & (s.metric == "modes")].iloc[0]
    assert wgan["n"] == 3 and wgan["n_diverged"] == 1


def test_leaderboard_marks_best_ties_and_directions(rendered):
    index = rendered.report.path.read_text()
    assert "modes ↑" in index and "reverse_kl ↓" in index
    ring = next(t for t in rendered.report.tables if t.dataset == "ring")
    modes = [r.cells[0] for r in ring.rows]
    assert sum(c.best for c in modes) == 1
    assert [r.label for r, c in zip(ring.rows, modes, strict=True) if c.best] == [f"pac{EVIL}"]
    assert index.count('class="best"') == 6  # one per (dataset, metric)
    assert "Average rank across datasets" in index
    for name in ("heatmap.png", "metric_0.png", "samples_0.png", "curves_0.png"):
        assert f"figures/{name}" in index


def test_provenance(rendered):
    index = rendered.report.path.read_text()
    for text in ("0123abcd", "0" * 40, "cpu (test)", "rendered"):
        assert text in index


def test_empty_and_single_seed_reports(tmp_path):
    recs = [fake_record("ring", "gan", 0, {"modes": 3.0}), fake_record("ring", "x", 0, {})]
    rep = render_report("one", recs, tmp_path / "one", run_pages=False)
    html = rep.path.read_text()
    assert "3.00" in html and not (tmp_path / "one" / "runs").exists()
    assert "not computed" in html  # n < 3


def test_records_and_metrics_follow_the_suite_order():
    from ganbench.report.aggregate import in_cell_order, metrics_frame

    recs = [fake_record(ds, "gan", 0, {"reverse_kl": 0.1, "modes": 3.0}) for ds in ("b", "a")]
    for r in recs:
        r["config"]["eval"]["metrics"] = ["modes", "reverse_kl"]
    ordered = in_cell_order(reversed(recs), [recs[0]["run_id"], recs[1]["run_id"]])
    assert [r["coords"]["dataset"] for r in ordered] == ["b", "a"]
    assert list(metrics_frame(ordered)["metric"])[:2] == ["modes", "reverse_kl"]


def test_bit_identical_entries_are_explained_beside_the_table(tmp_path):
    recs = [
        fake_record("ring", obj, s, {"modes": 8.0, "hq": 0.9 + s / 100})
        for obj in ("nonsaturating", "fgan-gan", "hinge")
        for s in (0, 1)
    ]
    recs[-1]["metrics"]["hq"]["value"] = 0.5  # hinge differs
    html = render_report("dup", recs, tmp_path / "dup", run_pages=False).path.read_text()
    assert "fgan-gan is identical to nonsaturating on every seed and metric" in html
    assert "hinge is identical" not in html
