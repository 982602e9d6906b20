"""``kind: divergence-fit`` suites: strict validation and run → records → report via the CLI."""

from __future__ import annotations

import json

import pytest

from ganbench.cli import main
from ganbench.config import load_suite
from ganbench.errors import ConfigError
from ganbench.kinds import load_suite as load_any_kind
from ganbench.kinds.fit import NAME

FIT_SUITE = """
name: tinyfit
kind: divergence-fit
target: {name: theis-mixture, params: {seed: 22}}
model: isotropic-gaussian
fits:
  - kl
  - {name: reverse_kl, label: reverse KL}
quadrature_points: 12
"""
MMD = "  - {{name: mmd, params: {{{}}}}}\nquadrature"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (FIT_SUITE.replace("divergence-fit", "fits"), "kind: 'fits' is not valid"),
        (FIT_SUITE + "seeds: [0]\n", "unknown key 'seeds'"),
        (FIT_SUITE.replace("- kl", "- kld"), "did you mean 'kl'"),
        (FIT_SUITE.replace("theis-mixture", "theis"), "theis-mixture"),
        (FIT_SUITE.replace("isotropic-gaussian", "full-gaussian"), "model: 'full-gaussian'"),
        (FIT_SUITE.replace("quadrature_points: 12", "quadrature_points: 4"), "expected 8..200"),
        (FIT_SUITE.replace("quadrature", MMD.format("scales: [-1]")), "scales must be positive"),
        (FIT_SUITE.replace("quadrature", MMD.format("width: 2")), "unknown parameter 'width'"),
    ],
)
def test_bad_fit_suites_are_one_line_errors(write_suite, capsys, text, fragment):
    path = write_suite(text, "bad.yaml")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and str(path) in err and len(err.splitlines()) == 1


def test_gan_loader_refuses_a_fit_suite(write_suite):
    path = write_suite(FIT_SUITE, "fit.yaml")
    with pytest.raises(ConfigError, match="not a GAN suite"):
        load_suite(path)
    kind, suite = load_any_kind(path)
    assert kind.name == NAME == "divergence-fit" and suite.name == "tinyfit"


def test_run_then_report(write_suite, tmp_path, capsys):
    path = write_suite(FIT_SUITE, "fit.yaml")
    res, rep = tmp_path / "results", tmp_path / "reports"
    argv = ["--results", str(res), "--reports", str(rep)]
    assert main(["validate", str(path)]) == 0
    assert "2 fits" in capsys.readouterr().out
    assert main(["run", str(path), *argv]) == 0
    out = capsys.readouterr().out
    assert "mode covering" in out and "mode seeking" in out
    files = sorted((res / "tinyfit").glob("*.json"))
    assert len(files) == 2
    recs = {
        json.loads(f.read_text())["coords"]["objective"]: json.loads(f.read_text()) for f in files
    }
    assert recs["kl"]["status"] == "ok"
    assert recs["kl"]["result"]["a"] == pytest.approx(1.491132, abs=1e-5)
    check = recs["reverse KL"]["result"]["check"]["reverse_kl"]
    own = recs["reverse KL"]["result"]["objectives_at_fit"]["reverse_kl"]
    assert abs(check["value"] - own) < 4 * check["stderr"]
    html = (rep / "tinyfit" / "index.html").read_text()
    assert "mode covering" in html and "reverse KL" in html
    assert (rep / "tinyfit" / "figures" / "fits.png").stat().st_size > 10_000
    mtimes = [f.stat().st_mtime_ns for f in files]
    assert main(["run", str(path), *argv]) == 0  # resumes: nothing re-fitted
    assert [f.stat().st_mtime_ns for f in files] == mtimes
    assert main(["report", str(path), *argv]) == 0
    assert "report:" in capsys.readouterr().out
