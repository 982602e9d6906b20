from __future__ import annotations

import pytest

from ganbench.config import load_suite
from ganbench.errors import ConfigError
from tests.conftest import TINY_SUITE


def test_tiny_suite_expands_to_cross_product(tiny_suite_path):
    suite = load_suite(tiny_suite_path)
    cells = suite.cells()
    assert len(cells) == 2 * 3 * 1 * 1 * 2
    assert len({c.run_id for c in cells}) == len(cells)
    assert suite.name == "tiny"


def test_run_id_is_stable_and_config_sensitive(write_suite):
    a = load_suite(write_suite(TINY_SUITE, "a.yaml")).cells()
    b = load_suite(write_suite(TINY_SUITE, "b.yaml")).cells()
    assert [c.run_id for c in a] == [c.run_id for c in b]
    c = load_suite(write_suite(TINY_SUITE.replace("steps: 20", "steps: 21"), "c.yaml")).cells()
    assert not {x.run_id for x in a} & {x.run_id for x in c}


def test_later_train_fields_at_default_leave_the_run_id_unchanged(write_suite):
    """decay_end/lr_end_factor are omitted at their defaults; set, they change the run id."""
    from ganbench.train.config import LATER_FIELDS

    plain = load_suite(write_suite(TINY_SUITE, "a.yaml")).cells()
    explicit_text = TINY_SUITE.replace(
        "steps: 20", "steps: 20\n  lr_schedule: linear\n  decay_end: 1.0\n  lr_end_factor: 0.0"
    )
    linear_text = TINY_SUITE.replace("steps: 20", "steps: 20\n  lr_schedule: linear")
    explicit = load_suite(write_suite(explicit_text, "b.yaml")).cells()
    linear = load_suite(write_suite(linear_text, "c.yaml")).cells()
    assert [c.run_id for c in explicit] == [c.run_id for c in linear]
    assert not set(LATER_FIELDS) & set(plain[0].resolved()["train"])
    floor_text = linear_text.replace(
        "lr_schedule: linear", "lr_schedule: linear\n  lr_end_factor: 0.1"
    )
    floor = load_suite(write_suite(floor_text, "d.yaml")).cells()
    assert floor[0].resolved()["train"]["lr_end_factor"] == 0.1
    assert not {c.run_id for c in floor} & {c.run_id for c in linear}


def test_objective_defaults_and_overrides_resolve(write_suite):
    text = TINY_SUITE + "objective_params:\n  wgan-gp: {gp_weight: 1}\n"
    suite = load_suite(write_suite(text))
    wgan = next(c for c in suite.cells() if c.objective.name == "wgan-gp")
    assert wgan.objective.params == {"gp_weight": 1.0, "one_sided": False}
    assert wgan.train.n_critic == 5  # the paper's protocol, from the objective
    ns = next(c for c in suite.cells() if c.objective.name == "nonsaturating")
    assert ns.train.n_critic == 1


def test_entry_train_override_beats_objective_default(write_suite):
    text = TINY_SUITE.replace(
        "objectives: [minimax, nonsaturating, wgan-gp]",
        "objectives: [{name: wgan-gp, train: {n_critic: 2}}]",
    )
    suite = load_suite(write_suite(text))
    assert {c.train.n_critic for c in suite.cells()} == {2}


def test_variants_axis(write_suite):
    text = TINY_SUITE + "variants:\n  - base\n  - {label: slow, train: {lr: 1.0e-4}}\n"
    suite = load_suite(write_suite(text))
    assert len(suite.cells()) == 24
    lrs = {(c.variant, c.train.lr) for c in suite.cells()}
    assert ("slow", 1e-4) in lrs and ("base", 1e-3) in lrs


def test_exponent_without_dot_is_a_float(write_suite):
    suite = load_suite(write_suite(TINY_SUITE.replace("log_every: 5", "log_every: 5\n  lr: 1e-4")))
    assert suite.cells()[0].train.lr == 1e-4


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ("seeds: [0, 1]", "seeds: []", r"tiny\.yaml: seeds: empty list"),
        ("seeds: [0, 1]", "seeds: [0, 0]", r"seeds: duplicate seeds"),
        ("seeds: [0, 1]", "seeds: [a]", r"seeds\[0\]: expected a non-negative integer, got 'a'"),
        (
            "[minimax, nonsaturating, wgan-gp]",
            "[minimax, wgan_gp]",
            r"objectives\[1\]: unknown objective 'wgan_gp'; did you mean 'wgan-gp'",
        ),
        ("steps: 20", "stepz: 20", r"train: unknown parameter 'stepz'"),
        ("steps: 20", "steps: twenty", r"train\.steps: expected an integer, got 'twenty'"),
        ("steps: 20", "steps: 0", r"steps must be >= 1"),
        ("name: tiny", "name: tiny\ncolour: red", r"unknown key 'colour'"),
        ("name: tiny", "name: ../../etc", r"name: '../../etc' is not a valid suite name"),
        (
            "{depth: 2, width: 16}",
            "{depth: 2, widht: 16}",
            r"architectures\[0\]\.params: unknown parameter 'widht'",
        ),
        ("{std: 0.05}", "{std: fat}", r"datasets\[1\]\.params\.std: expected a number"),
        (
            "n_samples: 200",
            "n_samples: 200\n  metrics: [modez]",
            r"eval\.metrics\[0\]: unknown metric 'modez'; did you mean 'modes'",
        ),
        ("name: tiny", "name: tiny\nname: other", r"duplicate key 'name'"),
        ("  - ring\n", "  - ring\n  - ring\n", r"datasets: duplicate label 'ring'"),
    ],
)
def test_config_errors_are_one_line_with_file_and_key(write_suite, old, new, pattern):
    assert old in TINY_SUITE
    path = write_suite(TINY_SUITE.replace(old, new), "tiny.yaml")
    with pytest.raises(ConfigError, match=pattern) as info:
        load_suite(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert str(path) in msg


def test_yaml_syntax_error(write_suite):
    path = write_suite("name: x\nseeds: [0, 1\n")
    with pytest.raises(ConfigError, match=r"YAML syntax error at line \d+, column \d+"):
        load_suite(path)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="suite file not found"):
        load_suite(tmp_path / "nope.yaml")


def test_missing_axis(write_suite):
    with pytest.raises(ConfigError, match="missing required key 'objectives'"):
        load_suite(write_suite("seeds: [0]\ndatasets: [ring]\narchitectures: [mlp]\n"))


def test_top_level_must_be_mapping(write_suite):
    with pytest.raises(ConfigError, match="expected a mapping at the top level"):
        load_suite(write_suite("- just\n- a list\n"))


def test_unhashable_yaml_key_is_a_one_line_error(write_suite):
    """Regression: ``? ? `` (a mapping used as a key) crashed with a TypeError."""
    with pytest.raises(ConfigError, match="mapping key must be a scalar"):
        load_suite(write_suite("? ? \n"))
