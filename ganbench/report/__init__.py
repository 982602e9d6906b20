"""Reports: records → tidy tables → statistics → HTML leaderboard."""

from ganbench.report.html import Report, render_report

__all__ = ["Report", "render_report"]
