"""``eval.options`` are stored resolved: every default is in the cell's config and run id.

Issue 12, bug 8: the options were stored as the user wrote them and resolved
again inside each metric, so changing a metric's default option silently
reused the records computed under the old default.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from ganbench.config import load_suite
from ganbench.metrics import options as options_module
from ganbench.metrics.config import EvalConfig
from ganbench.metrics.options import SampleQualityOptions, options_dict
from tests.conftest import TINY_SUITE

DEFAULTS = options_dict(SampleQualityOptions())
# a value different from the default, per option
CHANGED = {
    "reference_split": "test",
    "n_real": 5000,
    "inception_n_real": 500,
    "inception_n_fake": 500,
    "preprocessing": "clean",
    "inception_weights": "weights.pt",
    "allow_download": True,
    "batch_size": 32,
    "kid_subsets": 10,
    "kid_subset_size": 100,
    "prdc_k": 3,
    "is_splits": 5,
    "fid_infinity_points": 7,
    "classifier_seed": 1,
    "classifier_steps": 100,
}


def _suite_text(options: dict | None = None, metrics: list[str] | None = None) -> str:
    text = TINY_SUITE
    if metrics is not None:
        text += f"  metrics: {json.dumps(metrics)}\n"
    if options is not None:
        text += f"  options: {json.dumps(options)}\n"
    return text


def _run_ids(write_suite, text: str) -> list[str]:
    return [c.run_id for c in load_suite(write_suite(text)).cells()]


def test_every_option_is_covered_here():
    assert set(CHANGED) == set(DEFAULTS)
    assert all(CHANGED[k] != DEFAULTS[k] for k in DEFAULTS)


@pytest.mark.parametrize(
    "metrics", [None, ["modes", "hq"], ["modes", "reverse_kl", "hq"], ["fid", "kid", "precision"]]
)
def test_the_resolved_config_holds_every_default_option(write_suite, metrics):
    cells = load_suite(write_suite(_suite_text(metrics=metrics))).cells()
    for cell in cells:
        assert cell.eval.options == DEFAULTS
        assert cell.resolved()["eval"]["options"] == json.loads(json.dumps(DEFAULTS))


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_stating_a_default_keeps_the_run_id(write_suite, name):
    omitted = _run_ids(write_suite, _suite_text())
    stated = _run_ids(write_suite, _suite_text({name: DEFAULTS[name]}))
    assert stated == omitted


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_a_user_value_is_kept_and_changes_the_run_id(write_suite, name):
    cells = load_suite(write_suite(_suite_text({name: CHANGED[name]}))).cells()
    assert {c.eval.options[name] for c in cells} == {CHANGED[name]}
    assert {c.eval.options[k] for c in cells for k in DEFAULTS if k != name} <= set(
        DEFAULTS.values()
    )
    assert not set(c.run_id for c in cells) & set(_run_ids(write_suite, _suite_text()))


@pytest.mark.parametrize("name", ["prdc_k", "n_real", "kid_subsets", "preprocessing", "is_splits"])
def test_changing_a_default_changes_the_run_id(write_suite, monkeypatch, name):
    before = _run_ids(write_suite, _suite_text(metrics=["fid", "kid", "precision"]))
    patched = dataclasses.make_dataclass(
        "PatchedOptions",
        [(name, SampleQualityOptions.__dataclass_fields__[name].type, CHANGED[name])],
        bases=(SampleQualityOptions,),
        frozen=True,
    )
    monkeypatch.setattr(options_module, "SampleQualityOptions", patched)
    after = _run_ids(write_suite, _suite_text(metrics=["fid", "kid", "precision"]))
    assert len(after) == len(before) and not set(after) & set(before)
    monkeypatch.undo()
    assert _run_ids(write_suite, _suite_text(metrics=["fid", "kid", "precision"])) == before


def test_resolving_is_idempotent():
    cfg = EvalConfig(options={"n_real": 2000})
    again = EvalConfig(options=cfg.options)
    assert again == cfg and again.options["n_real"] == 2000
    assert dataclasses.replace(cfg, n_samples=10).options == cfg.options
