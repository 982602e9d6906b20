"""The verdict of a paper comparison in sentences (the closing note).

:func:`closing_note` states how many published numbers of a
:class:`~ganbench.report.paper.PaperComparison` matched and under which test, lists
the matched, unmatched, inconclusive, unjudged and not-run ones, and says whether
each of the paper's claims holds. ``reproduce.html`` and the terminal print it.
"""

from __future__ import annotations

from ganbench.papers import Paper
from ganbench.report.paper import (
    ALPHA,
    INCONCLUSIVE_RATIO,
    SPREAD_WORDS,
    ClaimCheck,
    Comparison,
    PaperComparison,
)


def closing_note(cmp: PaperComparison, paper: Paper) -> list[str]:
    """The verdict in sentences: which numbers matched, which did not, and the claims."""
    judged = len(cmp.matched) + len(cmp.unmatched) + len(cmp.inconclusive)
    if not cmp.rows:
        held = sum(bool(c.holds) for c in cmp.claims)
        lines = [
            f"The paper prints no numbers for this {paper.source}; it is judged by its "
            f"{len(cmp.claims)} qualitative claims, of which {held} hold here."
        ]
        return lines + [_claim_line(cl) for cl in cmp.claims]
    how = (
        f"within the paper's spread ({SPREAD_WORDS[paper.spread]} over {paper.n_runs} runs; "
        f"Welch's t-test, α = {ALPHA})"
        if paper.spread != "none"
        else "inside ganbench's 95% CI (the paper gives no spread)"
    )
    lines = [f"{len(cmp.matched)} of {judged} judged published numbers matched {how}."]
    if cmp.matched:
        lines.append("Matched: " + "; ".join(_short(c) for c in cmp.matched) + ".")
    if cmp.unmatched:
        lines.append("Not matched: " + "; ".join(_short(c, True) for c in cmp.unmatched) + ".")
    if cmp.inconclusive:
        lines.append(
            "Inconclusive (not significantly different, but ganbench's standard error is more "
            f"than {INCONCLUSIVE_RATIO:g}× the paper's): "
            + "; ".join(_short(c) for c in cmp.inconclusive)
            + "."
        )
    if cmp.unjudged:
        lines.append("Not judged: " + "; ".join(f"{_where(c)} ({c.verdict})" for c in cmp.unjudged))
    if cmp.rows_not_run:
        n = len(cmp.rows_not_run)
        lines.append(
            f"Not run at this budget ({n} row{'s' if n > 1 else ''}): "
            + "; ".join(
                f"{' '.join(filter(None, (r.row, r.dataset)))} ({r.command})"
                for r in cmp.rows_not_run
            )
            + "."
        )
    return lines + [_claim_line(cl) for cl in cmp.claims]


def _claim_line(cl: ClaimCheck) -> str:
    """The claim's verdict; a pairwise one says whether Welch's test backs the direction."""
    state = "not run" if cl.not_run else "not judged"
    if cl.holds is not None:
        state = "holds" if cl.holds else "does not hold"
        if cl.significant is True:
            state += (
                f", significantly (p < {ALPHA:g})"
                if cl.holds
                else f": the opposite is significant (p < {ALPHA:g})"
            )
        elif cl.significant is False and cl.holds:
            state = f"holds on the means only, not significantly (p ≥ {ALPHA:g})"
    return f"Claim “{cl.text}”: {state} here ({cl.detail})."


def _where(c: Comparison) -> str:
    return f"{c.row} {c.dataset} {c.column}"


def _short(c: Comparison, direction: bool = False) -> str:
    text = f"{_where(c)} (paper {c.paper_text}, ganbench {c.ours_text}"
    if direction:
        text += ", ganbench " + ("higher" if c.ours_mean > c.paper else "lower")
    return text + ")"
