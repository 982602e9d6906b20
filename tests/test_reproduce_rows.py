"""``ganbench reproduce`` end to end on a tiny paper suite whose cpu budget runs one of two rows.

Checks the page (verdict table, the rows not run with the command that runs them,
the plateau check of the tracked metric, the run's wall time) and ``--list``
(the rows each budget runs, its time measured from the records or as stated).
"""

from __future__ import annotations

import contextlib
import io
from datetime import UTC, datetime

from ganbench.cli import main
from ganbench.reproduce import load_paper_run
from ganbench.reproduce_gan import budget_lines, gan_differences, rerun_command, run_scope

TINY_PAC = """
name: tinypac
seeds: [0, 1, 2]
datasets: [ring]
objectives: [nonsaturating]
architectures:
  - {name: mlp, params: {depth: 1, width: 8, g_batch_norm: true}}
variants:
  - GAN
  - {label: PacGAN2, train: {pack: 2}}
train: {steps: 20, batch_size: 32, log_every: 5}
eval: {n_samples: 200, keep_samples: 20, metrics: [modes, hq], track_every: 5,
       track_samples: 100}
paper:
  title: Tiny PacGAN
  authors: Doe
  year: 2018
  arxiv: "1712.04086"
  source: Table 1
  spread: standard_error
  n_runs: 10
  metrics:
    modes: {column: modes}
    hq: {column: "HQ (%)", scale: 0.01}
  budgets:
    cpu: {minutes: 1, seeds: [0, 1], variants: [GAN], train: {steps: 12},
          differences: ["cpu: 12 steps"]}
    gpu: {hours: 1, train: {steps: 40}}
  results:
    - {row: GAN, dataset: ring, variant: GAN, modes: [6.3, 0.5], hq: [98.2, 0.2]}
    - {row: PacGAN2, dataset: ring, variant: PacGAN2, modes: [7.9, 0.1], hq: [95.6, 2.0]}
  claims:
    - {text: "PacGAN2 covers more modes", metric: modes, better: {variant: PacGAN2},
       worse: {variant: GAN}}
    - {text: "GAN covers at most 8 modes", metric: modes, variant: GAN, at_most: 8}
"""
GPU_CMD = "ganbench reproduce tinypac --budget gpu"


def _cli(argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0
    return out.getvalue()


def test_reproduce_runs_the_budgets_rows_and_says_how_to_run_the_others(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paper suites are looked up in ./suites/papers first
    (tmp_path / "suites" / "papers").mkdir(parents=True)
    (tmp_path / "suites" / "papers" / "tinypac.yaml").write_text(TINY_PAC)
    where = ["--results", "results", "--reports", "reports"]
    text = _cli(["reproduce", "tinypac", "--budget", "cpu", *where, "--device", "cpu",
                 "--no-progress"])  # fmt: skip
    assert f"Not run at this budget (1 row): PacGAN2 ring ({GPU_CMD})." in text
    assert "Claim “PacGAN2 covers more modes”: not run here" in text
    assert "Claim “GAN covers at most 8 modes”: holds here" in text

    page = (tmp_path / "reports" / "tinypac-cpu" / "reproduce.html").read_text()
    assert '<th class="label">paper row</th>' in page and "98.2 ± 0.20" in page
    assert 'id="rows-not-run"' in page and f"<code>{GPU_CMD}</code>" in page
    assert "not run –" in page  # the PacGAN2 cells of the verdict table
    assert 'id="plateau"' in page and "over the last 25 % of steps (steps 10 → 12" in page
    assert "no tracking in these records" not in page
    assert 'src="figures/plateau_0.png"' in page
    assert (tmp_path / "reports" / "tinypac-cpu" / "figures" / "plateau_0.png").is_file()
    assert "2 runs (2 seeds per entry), 12 steps each." in page and "Wall time: " in page

    listing = _cli(["reproduce", "--list", "--results", "results"])
    today = datetime.now(UTC).date().isoformat()
    assert "cpu: 1 of 2 published rows (GAN) × 2 seeds = 2 runs, 12 steps; measured " in listing
    assert f"on this machine, records of {today} / stated ~1 CPU min" in listing
    assert (
        "gpu: all 2 published rows × 3 seeds = 6 runs, 40 steps; stated ~1 GPU h (no records yet)"
    ) in listing
    assert "full: all 2 published rows × 3 seeds = 6 runs, 20 steps; no stated time" in listing


def test_rows_not_run_point_to_gpu_only_when_the_gpu_budget_runs_them(write_suite):
    gpu_too = TINY_PAC.replace("gpu: {hours: 1,", "gpu: {hours: 1, variants: [GAN],")
    path = write_suite(gpu_too, "tinypac.yaml")
    cpu = load_paper_run(str(path), "cpu")
    assert rerun_command(cpu, "PacGAN2") == f"ganbench reproduce {path} --budget full"
    scope = run_scope(cpu)
    assert scope.variants == ("GAN",) and set(scope.commands) == {"PacGAN2"}
    without_gpu = TINY_PAC.replace("    gpu: {hours: 1, train: {steps: 40}}\n", "")
    no_gpu = write_suite(without_gpu, "b.yaml")
    assert rerun_command(load_paper_run(str(no_gpu), "cpu"), "PacGAN2").endswith("--budget full")
    pac_only = TINY_PAC.replace("variants: [GAN], train", "variants: [PacGAN2], train")
    pac = load_paper_run(str(write_suite(pac_only, "c.yaml")), "cpu")
    assert not any("pack" in d for d in gan_differences(pac))  # compared with PacGAN2's cell
    full = load_paper_run(str(path), "full")
    assert run_scope(full).variants is None and run_scope(full).commands == {}


def test_a_claims_only_paper_lists_its_budgets(write_suite, tmp_path):
    start = TINY_PAC.index("  results:")
    claims_only = TINY_PAC[:start] + TINY_PAC[TINY_PAC.index("  claims:") :]
    run = load_paper_run(str(write_suite(claims_only, "claims.yaml")), "full")
    lines = budget_lines(run, tmp_path / "results")
    assert lines[0].startswith("cpu: no published rows (claims only) × 2 seeds = 2 runs, 12 steps")
    assert lines[-1].endswith("no stated time (no records yet)")


def _metrics(results) -> dict[tuple[str, int], dict]:
    """Each record's metrics by (variant, seed)."""
    import json

    out = {}
    for f in sorted(results.rglob("*.json")):
        r = json.loads(f.read_text())
        if "coords" in r:
            out[(r["coords"]["variant"], r["coords"]["seed"])] = r["metrics"]
    return out


def test_reproduce_in_worker_processes_gives_the_in_process_numbers(tmp_path, monkeypatch):
    """``--jobs 2`` trains each row's ensemble in its own process: same records as ``--jobs 1``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "suites" / "papers").mkdir(parents=True)
    (tmp_path / "suites" / "papers" / "tinypac.yaml").write_text(TINY_PAC)
    from ganbench.runner.local import ProcessExecutor

    pools: list[int] = []
    init = ProcessExecutor.__init__

    def spy(self, jobs, *args, **kwargs):
        pools.append(jobs)
        init(self, jobs, *args, **kwargs)

    monkeypatch.setattr(ProcessExecutor, "__init__", spy)
    monkeypatch.setattr("ganbench.runner.local.cpu_count", lambda: 3)
    runs = {"1": ["--jobs", "1"], "2": ["--jobs", "2"], "auto": [], "threads": ["--threads", "1"]}
    for name, flags in runs.items():
        _cli(["reproduce", "tinypac", "--budget", "gpu", "--device", "cpu", "--no-progress",
              *flags, "--results", f"r{name}", "--reports", f"p{name}"])  # fmt: skip
    # --jobs 1 and --threads train in-process; --jobs 2 in a pool of two workers; the
    # default in one worker per core (3 here), each row's 3 seeds split one per worker
    assert pools == [2, 3]
    one = _metrics(tmp_path / "r1")
    assert len(one) == 6 and {v for v, _ in one} == {"GAN", "PacGAN2"}
    for name in ("2", "auto", "threads"):
        assert _metrics(tmp_path / f"r{name}") == one, name


def test_auto_jobs_is_one_worker_per_core_on_cpu_and_one_on_cuda(monkeypatch):
    import torch

    from ganbench.reproduce_gan import auto_jobs

    monkeypatch.setattr("ganbench.runner.local.cpu_count", lambda: 5)
    assert auto_jobs(None, torch.device("cpu")) == 5
    assert auto_jobs(None, torch.device("cuda")) == 1
    assert auto_jobs(2, torch.device("cpu")) == 2
    assert auto_jobs(3, torch.device("cuda")) == 3


def test_reproduce_rejects_bad_jobs_and_threads_with_jobs(capsys):
    assert main(["reproduce", "tinypac", "--jobs", "0"]) != 0
    assert "--jobs 0: expected an integer >= 1" in capsys.readouterr().err
    assert main(["reproduce", "tinypac", "--jobs", "2", "--threads", "1"]) != 0
    assert "--threads applies to in-process training" in capsys.readouterr().err
