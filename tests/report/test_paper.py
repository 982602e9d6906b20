"""Paper vs. ganbench: verdicts by the paper's spread, claims, the page and the CLI."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from ganbench.cli import main
from ganbench.papers import Paper, PaperMetric, Published, PublishedRow, parse_paper
from ganbench.report.aggregate import metrics_frame, runs_frame
from ganbench.report.paper import RunScope, compare
from ganbench.report.paper_note import closing_note
from ganbench.report.paper_page import terminal_comparison
from ganbench.report.stats import summarize
from tests.report.fakes import fake_record

OURS = {"GAN": [6.0, 6.5, 7.0, 6.2, 6.8], "Pac2": [8.0, 8.0, 7.0, 8.0, 8.0]}


def _summary(status_gan: str = "ok"):
    recs = [
        fake_record(
            "ring",
            "ns",
            s,
            {"modes": v, "hq": 0.97 + 0.001 * s},
            variant=var,
            status=status_gan if var == "GAN" else "ok",
        )
        for var, vals in OURS.items()
        for s, v in enumerate(vals)
    ]
    m = metrics_frame(recs)
    return summarize(m, runs_frame(recs)), m


def _paper(spread: str = "standard_error", rows=None) -> Paper:
    return Paper(
        title="t",
        authors="a",
        year=2018,
        arxiv="1712.04086",
        source="Table 1",
        spread=spread,
        n_runs=10,
        metrics=(PaperMetric("modes", "modes"), PaperMetric("hq", "HQ (%)", 0.01)),
        protocol=(),
        differences=(),
        results=tuple(
            rows
            or [
                PublishedRow(
                    "GAN",
                    {"dataset": "ring", "variant": "GAN"},
                    {"modes": Published(6.3, 0.5), "hq": Published(98.2, 0.2)},
                ),
                PublishedRow(
                    "Pac2", {"dataset": "ring", "variant": "Pac2"}, {"modes": Published(7.9, 0.1)}
                ),
            ]
        ),
    )


def test_verdict_is_welch_from_summary_stats_against_the_papers_spread():
    summary, _ = _summary()
    cmp = compare(_paper(), summary)
    gan = next(c for c in cmp.rows if c.row == "GAN" and c.metric == "modes")
    ref = stats.ttest_ind_from_stats(
        np.mean(OURS["GAN"]), np.std(OURS["GAN"], ddof=1), 5, 6.3, 0.5 * math.sqrt(10), 10,
        equal_var=False,
    ).pvalue  # fmt: skip
    assert gan.p == pytest.approx(ref) and gan.matched is True
    hq = next(c for c in cmp.rows if c.row == "GAN" and c.metric == "hq")
    assert hq.paper == pytest.approx(0.982) and hq.paper_text == "98.2 ± 0.20"
    assert hq.ours_text.startswith("97.2")  # shown in the paper's units (percent)
    assert hq.matched is False and "lower" in hq.verdict  # 97.2 vs 98.2 ± 0.2 over 10 runs
    note = " ".join(closing_note(cmp, _paper()))
    assert "matched within the paper's spread" in note and "Not matched: GAN ring HQ (%)" in note


def test_without_a_published_spread_our_ci_decides():
    rows = [
        PublishedRow("GAN", {"dataset": "ring", "variant": "GAN"}, {"modes": Published(6.5)}),
        PublishedRow("Pac2", {"dataset": "ring", "variant": "Pac2"}, {"modes": Published(1.0)}),
    ]
    cmp = compare(_paper("none", rows), _summary()[0])
    assert [c.matched for c in cmp.rows] == [True, False]
    assert "ganbench's 95% CI alone" in cmp.rows[0].verdict


def test_no_values_is_not_judged():
    summary, _ = _summary(status_gan="diverged")
    cmp = compare(_paper(), summary)
    gan = next(c for c in cmp.rows if c.row == "GAN" and c.metric == "modes")
    assert gan.matched is None and "every seed failed or diverged" in gan.verdict
    assert "Not judged" in " ".join(closing_note(cmp, _paper()))


def _claims_only_paper(claims: list[dict]) -> Paper:
    """A paper of GAN vs Pac2 on the ring that prints no numbers, only ``claims``."""
    raw = {
        "title": "t", "authors": "a", "year": 2018, "arxiv": "1", "source": "T1",
        "metrics": {"modes": {"column": "modes"}}, "claims": claims,
    }  # fmt: skip
    axes = {"dataset": ["ring"], "objective": ["ns"], "architecture": ["mlp"],
            "variant": ["GAN", "Pac2"]}  # fmt: skip
    return parse_paper(raw, "x.yaml", axes, ["modes"])


def test_claims_are_checked_on_our_numbers():
    paper = _claims_only_paper(
        [
            {"text": "pac wins", "metric": "modes", "better": {"variant": "Pac2"},
             "worse": {"variant": "GAN"}},
            {"text": "gan wins", "metric": "modes", "better": {"variant": "GAN"},
             "worse": {"variant": "Pac2"}},
            {"text": "gan larger", "metric": "modes", "larger": {"variant": "GAN"},
             "smaller": {"variant": "Pac2"}},
            {"text": "pac >= 7.5", "metric": "modes", "variant": "Pac2", "at_least": 7.5},
            {"text": "gan <= 6", "metric": "modes", "variant": "GAN", "at_most": 6},
        ]
    )  # fmt: skip
    summary, m = _summary()
    cmp = compare(paper, summary, m)
    assert [c.holds for c in cmp.claims] == [True, False, False, True, False]
    assert "Welch p" in cmp.claims[0].detail


def _pair_summary(gan: list[float], pac: list[float]):
    recs = [
        fake_record("ring", "ns", s, {"modes": v}, variant=var)
        for var, vals in {"GAN": gan, "Pac2": pac}.items()
        for s, v in enumerate(vals)
    ]
    m = metrics_frame(recs)
    return summarize(m, runs_frame(recs)), m


PAC_WINS = {"text": "pac wins", "metric": "modes", "better": {"variant": "Pac2"},
            "worse": {"variant": "GAN"}}  # fmt: skip


@pytest.mark.parametrize(
    ("gan", "pac", "holds", "significant", "words"),
    [
        # clearly separated seeds (3 and 5 of them, unsorted): significant
        ([6.0, 5.0, 6.0], [8.0, 7.0, 8.0, 8.0, 7.5], True, True, "holds, significantly"),
        ([8.0, 7.0, 8.0, 8.0, 7.5], [6.0, 5.0, 6.0], False, True, "the opposite is significant"),
        # the right direction on the means, overlapping seeds: not significant
        ([5.0, 8.0, 6.0], [7.0, 4.0, 9.0, 6.0], True, False, "holds on the means only"),
        ([7.0, 4.0, 9.0, 6.0], [5.0, 8.0, 6.0], False, False, "does not hold here"),
        # two seeds: no test, the means decide
        ([5.0, 6.0], [8.0, 7.0], True, None, "holds here"),
    ],
)
def test_claim_verdict_says_whether_welch_backs_it(gan, pac, holds, significant, words):
    summary, m = _pair_summary(gan, pac)
    paper = _claims_only_paper([PAC_WINS])
    cmp = compare(paper, summary, m)
    claim = cmp.claims[0]
    assert claim.holds is holds
    assert claim.significant is significant
    expected_p = (
        stats.ttest_ind(pac, gan, equal_var=False).pvalue if min(len(gan), len(pac)) >= 3 else None
    )
    assert claim.p == pytest.approx(expected_p)
    line = closing_note(cmp, paper)[-1]
    assert words in line
    if significant is False:
        assert "p ≥ 0.05" in line if holds else "significant" not in line
    if significant is None:
        assert "significant" not in line and "Welch" not in line


def test_reproduce_cli_end_to_end(reproduced, capsys):
    assert "paper vs ganbench:" in reproduced.stdout
    assert "judged published numbers matched" in reproduced.stdout
    page = (reproduced.reports / "reproduce.html").read_text()
    assert "arXiv:2001.00001" in page and "Table 9" in page
    assert "A &lt;b&gt;tiny&lt;/b&gt; paper" in page and "<b>tiny</b>" not in page
    assert "cpu: fewer steps" in page and "train.steps: the paper&#39;s protocol 20" in page
    assert "1 seeds per cell; the paper averages 10" in page
    assert 'id="plateau"' in page and "A (ring): no tracking in these records" in page.replace(
        "<b>", ""
    ).replace("</b>", "")
    assert "rows-not-run" not in page  # the cpu budget runs every row
    index = (reproduced.reports / "index.html").read_text()
    assert 'href="reproduce.html"' in index
    # records are reused: --no-run renders again without training
    before = sorted(p.stat().st_mtime_ns for p in reproduced.results.rglob("*.json"))
    assert main([*reproduced.argv, "--no-run"]) == 0
    assert sorted(p.stat().st_mtime_ns for p in reproduced.results.rglob("*.json")) == before
    suite = reproduced.argv[1]
    assert main(["reproduce", suite, "--budget", "gpu"]) == 2
    assert "has no 'gpu' budget" in capsys.readouterr().err


def test_reproduce_list(capsys):
    assert main(["reproduce", "--list"]) == 0
    out = capsys.readouterr().out
    assert "pacgan2018" in out or "invalid" in out or "no paper suites" in out


def test_figure_only_paper_is_judged_by_its_claims():
    raw = {
        "title": "t", "authors": "a", "year": 2016, "arxiv": "1511.01844", "source": "Figure 1",
        "metrics": {"modes": {"column": "modes"}},
        "claims": [{"text": "pac >= 7.5", "metric": "modes", "variant": "Pac2", "at_least": 7.5}],
    }  # fmt: skip
    axes = {"dataset": ["ring"], "objective": ["ns"], "architecture": ["mlp"],
            "variant": ["GAN", "Pac2"]}  # fmt: skip
    paper = parse_paper(raw, "x.yaml", axes, ["modes"])
    summary, m = _summary()
    cmp = compare(paper, summary, m)
    note = closing_note(cmp, paper)
    assert note[0].startswith("The paper prints no numbers for this Figure 1")
    assert "1 qualitative claims, of which 1 hold" in note[0]
    assert "7.8 ≥ 7.5" in note[1]


def test_a_wide_spread_is_inconclusive_not_a_match():
    rows = [
        PublishedRow("GAN", {"dataset": "ring", "variant": "GAN"}, {"modes": Published(6.3, 0.05)})
    ]
    cmp = compare(_paper(rows=rows), _summary()[0])
    c = cmp.rows[0]  # ours: s.e. 0.184, the paper's 0.05
    assert c.matched is None and c.inconclusive and c.p >= 0.05
    assert "3.7× the paper's" in c.verdict
    assert "Inconclusive" in " ".join(closing_note(cmp, _paper(rows=rows)))


GPU_CMD = "ganbench reproduce tiny --budget gpu"
CLAIMS = [
    {"text": "pac wins", "metric": "modes", "better": {"variant": "Pac2"},
     "worse": {"variant": "GAN"}},
    {"text": "gan wins", "metric": "modes", "better": {"variant": "GAN"},
     "worse": {"variant": "Pac2"}},
    {"text": "gan >= 6", "metric": "modes", "variant": "GAN", "at_least": 6},
    {"text": "gan <= 6", "metric": "modes", "variant": "GAN", "at_most": 6},
]  # fmt: skip


def _claims_paper() -> Paper:
    raw = {
        "title": "t", "authors": "a", "year": 2018, "arxiv": "1", "source": "T1",
        "spread": "standard_error", "n_runs": 10, "metrics": {"modes": {"column": "modes"}},
        "results": [
            {"row": "GAN", "variant": "GAN", "modes": [6.3, 0.5]},
            {"row": "Pac2", "variant": "Pac2", "modes": [7.9, 0.1]},
        ],
        "claims": CLAIMS,
    }  # fmt: skip
    axes = {"dataset": ["ring"], "objective": ["ns"], "architecture": ["mlp"],
            "variant": ["GAN", "Pac2"]}  # fmt: skip
    return parse_paper(raw, "x.yaml", axes, ["modes"])


def test_rows_and_claims_of_variants_not_run_are_not_run():
    """Only GAN ran (the Pac2 records are absent, as at a budget that skips it)."""
    summary, m = _summary()
    only_gan = summary[summary["variant"] == "GAN"]
    scope = RunScope("cpu", ("GAN",), {"Pac2": GPU_CMD})
    paper = _claims_paper()
    cmp = compare(paper, only_gan, m[m["variant"] == "GAN"], scope)
    gan, pac = cmp.rows
    assert gan.matched is True and not gan.not_run
    assert pac.not_run and pac.matched is None and pac.ours_text == "not run"
    assert pac.verdict == f"not run: the cpu budget does not run this row ({GPU_CMD})"
    assert cmp.unjudged == [] and cmp.not_run == [pac]
    assert [(r.row, r.command) for r in cmp.rows_not_run] == [("Pac2", GPU_CMD)]
    assert [c.holds for c in cmp.claims] == [None, None, True, False]
    assert [c.not_run for c in cmp.claims] == [True, True, False, False]
    assert cmp.claims[0].detail == f"not run: the cpu budget does not run variant Pac2 ({GPU_CMD})"
    note = closing_note(cmp, paper)
    assert note[0].startswith("1 of 1 judged published numbers matched")
    assert f"Not run at this budget (1 row): Pac2 ({GPU_CMD})." in note
    assert "Claim “pac wins”: not run here" in " ".join(note)
    assert "Claim “gan >= 6”: holds here" in " ".join(note)
    table = terminal_comparison(cmp).splitlines()
    assert " not run " in table[2] and table[2].endswith("–") and table[1].endswith("✓")


def test_without_a_scope_a_missing_row_is_not_judged_not_not_run():
    summary, m = _summary()
    only_gan = summary[summary["variant"] == "GAN"]
    cmp = compare(_claims_paper(), only_gan, m)
    pac = cmp.rows[1]
    assert not pac.not_run and pac.matched is None and "no ganbench value" in pac.verdict
    assert cmp.claims[0].holds is None and not cmp.claims[0].not_run
    assert cmp.rows_not_run == []


def test_claims_hold_or_not_when_every_variant_ran():
    summary, m = _summary()
    cmp = compare(_claims_paper(), summary, m, RunScope("full"))
    assert [c.holds for c in cmp.claims] == [True, False, True, False]
    assert not any(c.not_run for c in cmp.rows) and cmp.rows[1].matched is True
