from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ganbench.cli import main
from tests.conftest import TINY_SUITE


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("name: x\nseeds: [0, 1\n", "YAML syntax error"),
        (TINY_SUITE + "bogus: 1\n", "unknown key 'bogus'"),
        (TINY_SUITE.replace("minimax,", "minmax,"), "did you mean 'minimax'"),
        (TINY_SUITE.replace("steps: 20", "steps: many"), "train.steps: expected an integer"),
        (TINY_SUITE.replace("seeds: [0, 1]", "seeds: []"), "seeds: empty list"),
        (TINY_SUITE.replace("std: 0.05", "std: -1"), "datasets[1]: grid: "),
        (TINY_SUITE.replace("wgan-gp]", "{name: lsgan, params: {a: 1, b: 1}}]"), "objectives[2]"),
    ],
)
def test_validate_bad_suites_exit_2_with_one_line(write_suite, capsys, text, fragment):
    path = write_suite(text, "bad.yaml")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err
    assert str(path) in err
    assert len(err.splitlines()) == 1


def test_validate_missing_file(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert "missing.yaml: suite file not found" in err and len(err.splitlines()) == 1


def test_validate_good_suite(tiny_suite_path, capsys):
    assert main(["validate", str(tiny_suite_path)]) == 0
    assert "12 cells" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["objectives", "architectures", "datasets", "metrics"])
def test_ls(kind, capsys):
    assert main(["ls", kind]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out and all(len(line.split()) >= 2 for line in out)


def test_bad_subcommand_is_one_line():
    proc = subprocess.run(
        [sys.executable, "-m", "ganbench", "frobnicate"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1


SUITES = Path(__file__).resolve().parent.parent / "suites"


@pytest.mark.parametrize("path", sorted(SUITES.rglob("*.yaml")), ids=lambda p: p.name)
def test_shipped_suites_validate(path, capsys):
    """Every shipped suite validates; one whose dataset is not on this machine
    (CIFAR-10, MNIST: downloads are disabled here) must fail with the asset message."""
    from ganbench.errors import AssetError
    from ganbench.kinds import load_suite

    kind, suite = load_suite(path)
    try:
        kind.validate_summary(suite)
    except AssetError as exc:
        assert main(["validate", str(path)]) == 2
        assert str(exc) in capsys.readouterr().err
        pytest.skip(f"dataset not on this machine: {exc}")
    assert main(["validate", str(path)]) == 0
