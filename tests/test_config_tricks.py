"""Suite validation of the training tricks, regularizers and variant architecture overrides."""

from __future__ import annotations

import pytest

from ganbench.config import load_suite
from ganbench.errors import ConfigError

BASE = """
name: tricks
seeds: [0]
datasets: [ring]
objectives: [nonsaturating]
architectures: [{name: mlp, params: {depth: 1, width: 8}}]
train: {steps: 2, regularizers: [r1]}
"""


def test_variant_architecture_overrides_reach_the_cells(write_suite):
    text = BASE + "variants:\n  - base\n  - {label: sn, architecture: {d_spectral_norm: true}}\n"
    cells = load_suite(write_suite(text)).cells()
    by_variant = {c.variant: c for c in cells}
    assert by_variant["sn"].architecture.params["d_spectral_norm"] is True
    assert by_variant["base"].architecture.params["d_spectral_norm"] is False
    assert by_variant["sn"].architecture.params["width"] == 8
    assert by_variant["sn"].run_id != by_variant["base"].run_id


def test_regularizers_are_resolved_into_the_cell_config(write_suite):
    (cell,) = load_suite(write_suite(BASE)).cells()
    assert cell.resolved()["train"]["regularizers"] == [{"name": "r1", "gamma": 10.0}]


@pytest.mark.parametrize(
    ("train", "pattern"),
    [
        (
            "regularizers: [r11]",
            r"train: regularizers\[0\]: unknown regularizer 'r11'; did you mean",
        ),
        ("regularizers: [{name: r1, gamma: -1}]", r"regularizers\[0\] \(r1\): gamma must be >= 0"),
        ("pack: 0", r"pack must be >= 1"),
        ("unroll_steps: two", r"unroll_steps: expected an integer"),
    ],
)
def test_bad_trick_settings_name_the_file_and_key(write_suite, train, pattern):
    path = write_suite(BASE.replace("regularizers: [r1]", train))
    with pytest.raises(ConfigError, match=pattern) as info:
        load_suite(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_label_smoothing_with_a_non_classic_objective_is_refused(write_suite):
    text = BASE.replace("[nonsaturating]", "[hinge]").replace(
        "regularizers: [r1]", "label_smoothing: 0.1"
    )
    with pytest.raises(ConfigError, match=r"objectives\[hinge\]\.train: label_smoothing applies"):
        load_suite(write_suite(text))


def test_bad_variant_architecture_parameter_is_reported(write_suite):
    text = BASE + "variants:\n  - {label: sn, architecture: {d_spectral_nrm: true}}\n"
    with pytest.raises(ConfigError, match=r"variants\[sn\]\.architecture: unknown parameter"):
        load_suite(write_suite(text))
