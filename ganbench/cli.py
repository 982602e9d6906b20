"""Command line: ``ganbench run | validate | ls | report | reproduce | eval | stats``.

User errors print one line (``ganbench: error: ...``) and exit with status 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from ganbench import __version__
from ganbench.errors import GanbenchError

if TYPE_CHECKING:
    from ganbench.registry import Registry

LS_KINDS = ("objectives", "architectures", "datasets", "metrics", "regularizers", "protocols")


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see --help)\n")
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ganbench", description="Benchmark and evaluate GANs.")
    p.add_argument("--version", action="version", version=f"ganbench {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    p.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="train and evaluate every cell of a suite, then report")
    run.add_argument("suite", help="suite YAML file")
    run.add_argument("--results", default="results", help="results root (default: results)")
    run.add_argument("--reports", default="reports", help="reports root (default: reports)")
    run.add_argument("--device", default="auto", help="cpu, cuda or auto (default)")
    run.add_argument("--force", action="store_true", help="re-run cells that have records")
    run.add_argument(
        "--no-ensemble",
        action="store_true",
        help="train every cell on its own instead of batching seeds",
    )
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    run.add_argument(
        "--jobs", type=int, default=1, help="local: worker processes (default: 1, in-process)"
    )
    run.add_argument("--backend", default="local", help="local (default) or ray")
    run.add_argument("--address", default=None, help="ray: cluster address (default: start one)")
    run.add_argument("--cpus-per-task", type=float, default=None, help="ray: CPUs per task (1)")
    run.add_argument(
        "--gpus-per-task", type=float, default=None, help="ray: GPUs per task (fractions share)"
    )

    val = sub.add_parser("validate", help="check a suite without training")
    val.add_argument("suite")

    ls = sub.add_parser("ls", help="list registered names with descriptions")
    ls.add_argument("kind", choices=LS_KINDS)

    rep = sub.add_parser("report", help="render the report of a suite from its records")
    rep.add_argument("suite")
    rep.add_argument("--results", default="results")
    rep.add_argument("--reports", default="reports")

    rp = sub.add_parser(
        "reproduce", help="reproduce a published table: run a paper suite, compare side by side"
    )
    rp.add_argument("name", nargs="?", help="paper suite name (see --list) or a suite YAML file")
    rp.add_argument("--list", action="store_true", help="list the paper suites and their budgets")
    rp.add_argument(
        "--budget",
        choices=("cpu", "gpu", "full"),
        default=None,
        help="the paper's reduced cpu or gpu protocol, or its full protocol "
        "(default: gpu when CUDA is available, else cpu)",
    )
    rp.add_argument("--results", default="results")
    rp.add_argument("--reports", default="reports")
    rp.add_argument("--device", default="auto", help="cpu, cuda or auto (default)")
    rp.add_argument("--force", action="store_true", help="re-run cells that have records")
    rp.add_argument("--no-run", action="store_true", help="only render from existing records")
    rp.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch intra-op threads for CPU training (1 is fastest on a busy machine)",
    )
    rp.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="worker processes, one ensemble each, with cores // jobs threads "
        "(default: one per core on CPU; 1, in-process, on CUDA or with --threads)",
    )
    rp.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    from ganbench.evaluate.cli import add_parsers

    add_parsers(sub)
    return p


def terminal_safe(text: str) -> str:
    """``text`` with control and invisible characters (ESC, BEL, bidi overrides) escaped.

    Labels and errors printed to the terminal come from suite files and records;
    escaping keeps them from moving the cursor, ringing or reordering the line.
    Line breaks are kept.
    """
    return "".join(c if c == "\n" or c.isprintable() else ascii(c)[1:-1] for c in text)


def _show(text: str) -> None:
    """Print ``text`` to stdout with :func:`terminal_safe`."""
    print(terminal_safe(text))


def _setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not verbose:
        for noisy in ("matplotlib", "PIL"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate a suite of any kind and print what it would run."""
    from ganbench.kinds import load_suite

    kind, suite = load_suite(args.suite)
    print(f"{args.suite}: ok — {kind.validate_summary(suite)}")
    return 0


def cmd_ls(args: argparse.Namespace) -> int:
    """Print registered names with their one-line descriptions."""
    from ganbench.architectures import ARCHITECTURES
    from ganbench.datasets import DATASETS
    from ganbench.metrics import METRICS
    from ganbench.objectives import OBJECTIVES
    from ganbench.regularizers import REGULARIZERS

    if args.kind == "protocols":
        from ganbench.evaluate.protocols import protocol_lines

        print("\n".join(protocol_lines()))
        return 0
    registries: dict[str, Registry[Any]] = {
        "objectives": OBJECTIVES,
        "architectures": ARCHITECTURES,
        "datasets": DATASETS,
        "metrics": METRICS,
        "regularizers": REGULARIZERS,
    }
    registry = registries[args.kind]
    width = max((len(n) for n in registry.names()), default=0)
    for entry in registry.entries():
        extra = ""
        ref = getattr(entry.obj, "reference", "")
        if ref:
            extra = f" [{ref}]"
        if args.kind == "metrics":
            extra = f" ({'higher' if entry.obj.higher_is_better else 'lower'} is better)"
        print(f"{entry.name.ljust(width)}  {entry.description}{extra}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run a suite of any kind, then render and print its report."""
    from ganbench.kinds import RunRequest, load_suite
    from ganbench.runner import RunOptions

    options = RunOptions(
        backend=args.backend,
        jobs=args.jobs,
        address=args.address,
        cpus_per_task=args.cpus_per_task,
        gpus_per_task=args.gpus_per_task,
    )
    request = RunRequest(
        results=args.results,
        reports=args.reports,
        device=args.device,
        force=args.force,
        ensemble=not args.no_ensemble,
        progress=not args.no_progress,
        options=options,
    )
    kind, suite = load_suite(args.suite)
    _show("\n".join(kind.run(suite, request)))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Re-render a suite's report from its records."""
    from ganbench.kinds import load_suite

    kind, suite = load_suite(args.suite)
    _show("\n".join(kind.report(suite, args.results, args.reports)))
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    """List paper suites, or run one at a budget and print paper vs. ganbench."""
    from ganbench.env import resolve_device
    from ganbench.reproduce import default_budget, list_lines, load_paper_run, reproduce

    if args.list:
        print("\n".join(list_lines(args.results)))
        return 0
    if not args.name:
        raise GanbenchError("reproduce: give a paper suite name, or --list to see them")
    if args.jobs is not None and args.jobs < 1:
        raise GanbenchError(f"--jobs {args.jobs}: expected an integer >= 1")
    if args.threads is not None and (args.jobs or 1) > 1:
        raise GanbenchError(
            "--threads applies to in-process training (--jobs 1); with --jobs N every worker "
            "uses cores // N threads"
        )
    run = load_paper_run(args.name, args.budget or default_budget())
    if args.threads is not None:
        if args.threads < 1:
            raise GanbenchError(f"--threads {args.threads}: expected an integer >= 1")
        import torch

        torch.set_num_threads(args.threads)
    result = reproduce(
        run,
        args.results,
        args.reports,
        resolve_device(args.device),
        train=not args.no_run,
        force=args.force,
        progress=not args.no_progress,
        jobs=1 if args.threads is not None else args.jobs,  # --threads: in-process
    )
    _show(result.text)
    _show(f"\npaper vs ganbench: {result.page}\nleaderboard: {result.index}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Score generators or sample sets against a reference (``ganbench.evaluate``)."""
    from ganbench.evaluate.cli import cmd_eval as run_eval

    return run_eval(args, _show)


def cmd_stats(args: argparse.Namespace) -> int:
    """Export a reference's statistics file."""
    from ganbench.evaluate.cli import cmd_stats as run_stats

    return run_stats(args, _show)


COMMANDS = {
    "run": cmd_run,
    "validate": cmd_validate,
    "ls": cmd_ls,
    "report": cmd_report,
    "reproduce": cmd_reproduce,
    "eval": cmd_eval,
    "stats": cmd_stats,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ganbench`` and ``python -m ganbench``."""
    args = _parser().parse_args(argv)
    _setup_logging(args.verbose, args.quiet)
    try:
        return COMMANDS[args.command](args)
    except GanbenchError as exc:
        sys.stderr.write(f"ganbench: error: {terminal_safe(str(exc))}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("ganbench: interrupted (finished records are kept)\n")
        return 130
