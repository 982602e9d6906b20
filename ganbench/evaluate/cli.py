"""The ``ganbench eval`` and ``ganbench stats`` subcommands."""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from ganbench.errors import ConfigError
from ganbench.evaluate.protocols import DEFAULT_PROTOCOL, PROTOCOLS

log = logging.getLogger(__name__)

Show = Callable[[str], None]
ADHOC = "eval"  # ganbench eval writes under results/eval/<name> and reports/eval/<name>


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``eval`` and ``stats`` on the main parser's subcommands."""
    ev = sub.add_parser(
        "eval",
        help="score generators or samples ganbench did not train (folders, arrays, "
        "TorchScript, module:callable) against a reference",
    )
    ev.add_argument("inputs", nargs="+", help="image folder, .npz/.npy, generator .pt, module:fn")
    ev.add_argument(
        "--against", required=True, help="NAME[:SPLIT] (a dataset), folder:PATH or stats:FILE.npz"
    )
    ev.add_argument("--metrics", nargs="+", default=None, help="metric names (ganbench ls metrics)")
    ev.add_argument("-n", type=int, default=None, help="samples to score (default: the protocol's)")
    ev.add_argument("--seeds", nargs="+", type=int, default=[0], help="sampling seeds (default 0)")
    _common(ev)
    ev.add_argument("--name", default=None, help="evaluation name (results/eval/NAME)")
    ev.add_argument("--z-dim", type=int, default=None, help="latent size of a generator input")
    ev.add_argument("--n-classes", type=int, default=None, help="classes of a conditional G")
    ev.add_argument("--results", default="results")
    ev.add_argument("--reports", default="reports")
    ev.add_argument("--force", action="store_true", help="re-evaluate cells that have records")
    ev.add_argument("--json", action="store_true", help="print the records as JSON")

    st = sub.add_parser(
        "stats", help="export a reference's Inception statistics (pytorch-fid .npz)"
    )
    st.add_argument("reference", help="NAME[:SPLIT] (a dataset) or folder:PATH")
    st.add_argument("--out", required=True, help="output .npz path")
    _common(st)
    st.add_argument(
        "--mu-sigma-only",
        action="store_true",
        help="write only mu and sigma (no raw features: FID only, smaller file)",
    )


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--protocol",
        default=DEFAULT_PROTOCOL,
        help=f"named protocol (ganbench ls protocols; default {DEFAULT_PROTOCOL})",
    )
    p.add_argument("--n-real", type=int, default=None, help="real images (default: the protocol's)")
    p.add_argument("--device", default="auto", help="cpu, cuda or auto (default)")


def input_names(specs: Sequence[str]) -> list[str]:
    """Short unique display names: a folder's or file's name, a callable's attribute."""
    names: list[str] = []
    for spec in specs:
        path = Path(spec)
        if path.exists():
            base = path.stem if path.is_file() else path.name or str(path)
        else:
            base = spec.rpartition(":")[2] or spec
        base = re.sub(r"[^A-Za-z0-9_.-]+", "_", base) or "input"
        name, i = base, 2
        while name in names:
            name, i = f"{base}-{i}", i + 1
        names.append(name)
    return names


def _name(args: argparse.Namespace, names: list[str]) -> str:
    if args.name:
        return str(args.name)
    return names[0] if len(names) == 1 else f"{names[0]}-and-{len(names) - 1}-more"


def cmd_eval(args: argparse.Namespace, show: Show) -> int:
    """Score every input against the reference, write records, report, print a table."""
    from ganbench.env import resolve_device
    from ganbench.evaluate.references import parse_reference
    from ganbench.evaluate.run import EvalInput, make_cell
    from ganbench.evaluate.session import records_json, render, run_cells

    PROTOCOLS.get(args.protocol)
    if len(set(args.seeds)) != len(args.seeds):
        raise ConfigError(f"--seeds {args.seeds}: repeated seed")
    device = resolve_device(args.device)
    reference = parse_reference(args.against)
    names = input_names(args.inputs)
    name = _name(args, names)
    cells = [
        make_cell(
            name,
            EvalInput(label, spec, args.z_dim, args.n_classes),
            reference,
            protocol=args.protocol,
            metrics=args.metrics,
            n=args.n,
            seed=seed,
            n_real=args.n_real,
        )
        for label, spec in zip(names, args.inputs, strict=True)
        for seed in args.seeds
    ]
    results, reports = Path(args.results) / ADHOC, Path(args.reports) / ADHOC
    result = run_cells(cells, results, device, force=args.force)
    if args.json:
        show(records_json(result.records))
        return 0
    path, table = render(name, result.records, results, reports)
    show(table)
    show(
        f"\n{result.computed} evaluated, {result.skipped} from records; protocol {args.protocol}; "
        f"report: {path}"
    )
    return 0


def cmd_stats(args: argparse.Namespace, show: Show) -> int:
    """Write a reference's statistics to ``--out``."""
    from ganbench.env import resolve_device
    from ganbench.evaluate.export import export_stats
    from ganbench.evaluate.references import parse_reference

    path = export_stats(
        parse_reference(args.reference),
        args.out,
        protocol=args.protocol,
        n_real=args.n_real,
        device=resolve_device(args.device),
        with_features=not args.mu_sigma_only,
    )
    show(f"statistics of {args.reference} ({args.protocol}): {path}")
    return 0
