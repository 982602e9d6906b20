"""Search spaces and the search section: syntax, distributions, every error on one line."""

from __future__ import annotations

import pytest

from ganbench.errors import ConfigError
from ganbench.search import (
    Choice,
    IntRange,
    LogUniform,
    SearchSpace,
    Uniform,
    parse_distribution,
    parse_search,
    parse_space,
)
from ganbench.yamlio import load_yaml_text

SUITE = """
search:
  trials: 24
  sampler: sobol
  seed: 3
  metric: hq
  fresh_seeds: [100, 101, 102]
  space:
    train.lr: log_uniform(1e-4, 1e-2)
    train.betas.0: [0.0, 0.5]
    train.n_critic: int_range(1, 5)
  objectives:
    wgan-gp: {objective.gp_weight: "log_uniform(0.1, 100)", train.n_critic: choice(5)}
    lsgan: {objective.a: "uniform(-1, 0)"}
"""


def parsed() -> dict:
    return load_yaml_text(SUITE, "s.yaml")["search"]


def test_parse_the_documented_example() -> None:
    spec = parse_search(parsed(), "s.yaml: search")
    assert (spec.trials, spec.sampler, spec.seed, spec.metric) == (24, "sobol", 3, "hq")
    assert spec.fresh_seeds == (100, 101, 102)
    assert spec.space.paths == ("train.betas.0", "train.lr", "train.n_critic")
    assert spec.space.get("train.lr") == LogUniform(1e-4, 1e-2)
    assert spec.space.get("train.betas.0") == Choice((0.0, 0.5))
    assert spec.objective_labels == ("lsgan", "wgan-gp")
    wgan = spec.space_for("wgan-gp")
    assert wgan.get("train.n_critic") == Choice((5,))  # the objective's own entry wins
    assert wgan.get("objective.gp_weight") == LogUniform(0.1, 100.0)
    assert spec.space_for("hinge") == spec.space
    assert spec.all_paths() == (
        "objective.a",
        "objective.gp_weight",
        "train.betas.0",
        "train.lr",
        "train.n_critic",
    )


def test_defaults_and_key_order() -> None:
    raw = {"trials": 4, "metric": "fid", "fresh_seeds": [9], "space": {"train.lr": [1e-3]}}
    spec = parse_search(raw, "w")
    assert (spec.sampler, spec.seed, spec.objectives) == ("random", 0, ())
    a = parse_space({"train.lr": "uniform(0, 1)", "objective.a": [1, 2]}, "w")
    b = parse_space({"objective.a": [1, 2], "train.lr": "uniform(0, 1)"}, "w")
    assert a == b and hash(a) == hash(b)


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("log_uniform(1e-5, 1e-2)", LogUniform(1e-5, 1e-2)),
        ("uniform(-1, 0)", Uniform(-1.0, 0.0)),
        (" uniform( 0.5 ,2 ) ", Uniform(0.5, 2.0)),
        ("int_range(1, 5)", IntRange(1, 5)),
        ("choice(adam, 'sgd', null, true, 3)", Choice(("adam", "sgd", None, True, 3))),
        ("choice([0.0, 0.9], [0.5, 0.999])", Choice(((0.0, 0.9), (0.5, 0.999)))),
        ([1e-3, "x", [1, 2]], Choice((1e-3, "x", (1, 2)))),
        (["only"], Choice(("only",))),
    ],
)
def test_distribution_syntax_and_round_trip(raw: object, want: object) -> None:
    dist = parse_distribution(raw, "w")
    assert dist == want
    assert parse_distribution(dist.describe(), "w") == dist


def test_inverse_cdf_ends() -> None:
    assert LogUniform(1e-4, 1e-2).sample(0.0) == 1e-4
    assert LogUniform(1e-4, 1e-2).sample(1.0) == 1e-2
    assert LogUniform(1e-4, 1e-2).sample(0.5) == pytest.approx(1e-3)
    assert Uniform(-1.0, 3.0).sample(0.25) == 0.0
    ends = [IntRange(1, 3).sample(u) for u in (0.0, 0.33, 0.34, 0.66, 0.67, 1.0)]
    assert ends == [1, 1, 2, 2, 3, 3]
    choice = Choice(("a", (1, 2)))
    assert choice.sample(0.0) == "a" and choice.sample(1.0) == [1, 2]


E = "x.yaml: search"
SPACE_ERRORS = [
    ([1], "expected a mapping of parameter paths"),
    ({"lr": [1]}, "invalid parameter path 'lr'"),
    ({"model.lr": [1]}, "invalid parameter path 'model.lr'"),
    ({"train.": [1]}, "invalid parameter path"),
    ({"train.0": [1]}, "invalid parameter path 'train.0'"),
    ({"train.lr..x": [1]}, "invalid parameter path"),
    ({3: [1]}, "expected a parameter path"),
    ({"train.lr": 0.001}, "train.lr: expected a distribution"),
    ({"train.lr": {"low": 1}}, "expected a distribution"),
    ({"train.lr": "log_uniform 1e-4, 1e-2"}, "expected a distribution"),
    ({"train.lr": "normal(0, 1)"}, "unknown distribution 'normal'"),
    ({"train.lr": "uniform(1)"}, "expected two numbers"),
    ({"train.lr": "uniform(1, 2, 3)"}, "expected two numbers"),
    ({"train.lr": "uniform(a, b)"}, "expected two numbers"),
    ({"train.lr": "uniform(true, 2)"}, "expected two numbers"),
    ({"train.lr": "uniform(.nan, 1)"}, "bounds must be finite"),
    ({"train.lr": "uniform(0, .inf)"}, "bounds must be finite"),
    ({"train.lr": "uniform(2, 1)"}, "low must be < high"),
    ({"train.lr": "uniform(1, 1)"}, "low must be < high"),
    ({"train.lr": "log_uniform(1e-2, 1e-4)"}, "low must be < high"),
    ({"train.lr": "log_uniform(0, 1)"}, "log_uniform needs 0 < low"),
    ({"train.lr": "log_uniform(-1, 1)"}, "log_uniform needs 0 < low"),
    ({"train.n_critic": "int_range(1.5, 3)"}, "expected two integers"),
    ({"train.n_critic": "int_range(5, 1)"}, "low must be < high"),
    ({"train.lr": []}, "empty choice"),
    ({"train.lr": "choice()"}, "empty choice"),
    ({"train.lr": "choice([1, 2)"}, "cannot read the arguments"),
    ({"train.lr": [1, 1]}, "duplicate choice values"),
    ({"train.lr": [[[1]]]}, "nest at most one list"),
    ({"train.lr": [{"a": 1}]}, "choice values are numbers"),
    ({"train.lr": [float("nan")]}, "choice values must be finite"),
    ({"train.betas": [[0, 1]], "train.betas.0": [0.5]}, "set the same value"),
]


@pytest.mark.parametrize(("raw", "message"), SPACE_ERRORS)
def test_space_errors(raw: object, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_space(raw, f"{E}.space")
    text = str(info.value)
    assert message in text and text.startswith(f"{E}.space") and "\n" not in text


def base(**changes: object) -> dict:
    raw = {"trials": 8, "metric": "hq", "fresh_seeds": [5], "space": {"train.lr": [1e-3, 1e-2]}}
    raw.update(changes)
    return {k: v for k, v in raw.items() if v is not DROP}


DROP = object()
SEARCH_ERRORS = [
    ([1], "search: expected a mapping"),
    (base(budget=3), "unknown key 'budget' (valid: fresh_seeds, metric, objectives"),
    (base(trials=DROP), "missing required key 'trials'"),
    (base(metric=DROP), "missing required key 'metric'"),
    (base(fresh_seeds=DROP), "missing required key 'fresh_seeds'"),
    (base(trials=0), "search.trials: expected an integer in 1..4096, got 0"),
    (base(trials=-1), "search.trials: expected an integer in 1..4096"),
    (base(trials=1.5), "search.trials: expected an integer"),
    (base(trials=True), "search.trials: expected an integer"),
    (base(trials=5000), "search.trials: expected an integer in 1..4096, got 5000"),
    (base(sampler="grid"), "search.sampler: unknown sampler 'grid' (valid: random, sobol)"),
    (base(seed=-1), "search.seed: expected an integer"),
    (base(seed="a"), "search.seed: expected an integer"),
    (base(metric=3), "search.metric: expected a metric name"),
    (base(metric=""), "search.metric: expected a metric name"),
    (base(fresh_seeds=[]), "search.fresh_seeds: empty list"),
    (base(fresh_seeds="1"), "search.fresh_seeds: expected a list of seeds"),
    (base(fresh_seeds=[1, 1]), "search.fresh_seeds: duplicate seeds"),
    (base(fresh_seeds=[-1]), "search.fresh_seeds[0]: expected an integer"),
    (base(objectives=[1]), "search.objectives: expected a mapping of objective labels"),
    (base(objectives={3: {"objective.a": [1]}}), "expected an objective label, got 3"),
    (base(objectives={"lsgan": {}}), "search.objectives.lsgan: empty space"),
    (base(objectives={"x": {"lr": [1]}}), "search.objectives.x: invalid parameter path 'lr'"),
    (
        base(space={"train.betas": [[0, 1]]}, objectives={"x": {"train.betas.1": [0.9]}}),
        "search.objectives.x: 'train.betas' and 'train.betas.1' set the same value",
    ),
    (base(space={}), "search: nothing to search"),
    (
        load_yaml_text(
            "{trials: 2, metric: m, fresh_seeds: [1], space: {train.lr: uniform(0, 1)}}", "y"
        ),
        "search.space.train.lr: unbalanced parentheses in 'uniform(0' (inside a YAML flow mapping",
    ),
    (base(space={"train.lr": "uniform(1, 0)"}), "search.space.train.lr: low must be < high"),
]


@pytest.mark.parametrize(("raw", "message"), SEARCH_ERRORS)
def test_search_errors(raw: object, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_search(raw, E)
    text = str(info.value)
    assert message in text and text.startswith(E) and "\n" not in text


def test_only_objective_spaces_is_enough() -> None:
    spec = parse_search(base(space=DROP, objectives={"lsgan": {"objective.a": [0, 1]}}), E)
    assert spec.space == SearchSpace() and len(spec.space_for("lsgan")) == 1
