"""Property-based fuzzing of suite YAML.

Every input, however malformed, is either accepted (``ganbench validate`` exits
0 and a run writes exactly one record per cell and nothing else) or rejected
with one line on stderr and exit status 2 — never a traceback, and a rejected
``ganbench run`` never leaves a results folder behind. Inputs are mutations of
a valid suite (a value replaced, a key dropped or added), random YAML token
soup, and random bytes. Training is replaced by a fake executor so that the
property is about the config path, not about training speed.
"""

from __future__ import annotations

import contextlib
import copy
import io
import re
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ganbench.cli import main
from ganbench.config import TOP_KEYS, load_suite, parse_suite
from ganbench.errors import ConfigError
from ganbench.runner import RunOptions, run_suite, sweep
from ganbench.runner.store import ResultStore
from tests.runner.conftest import FakeExecutor

BASE: dict[str, Any] = {
    "name": "fuzz",
    "seeds": [0, 1],
    "datasets": ["ring", {"name": "grid", "params": {"std": 0.05}}],
    "objectives": ["minimax", {"name": "wgan-gp", "train": {"n_critic": 2}}],
    "architectures": [{"name": "mlp", "params": {"depth": 1, "width": 8}}],
    "variants": [{"label": "ema", "train": {"ema": 0.9}}],
    "train": {"steps": 5, "batch_size": 8, "betas": [0.5, 0.9], "lr": 1.0e-3},
    "eval": {"n_samples": 20, "keep_samples": 5},
}

WORDS = sorted(
    TOP_KEYS
    | {"name", "label", "params", "train", "ring", "grid", "mlp", "minimax", "wgan-gp"}
    | {"std", "depth", "width", "steps", "lr", "betas", "n_critic", "ema", "metrics", "modes"}
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-300, 300)
    | st.sampled_from([0, -1, 2**63, 10**30])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
    | st.sampled_from(WORDS)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _like(value: Any) -> st.SearchStrategy[Any]:
    """Values of the same type as ``value`` (boundaries included), else any value."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(-3, 300) | st.sampled_from([0, -1, 2**63, 10**30])
    if isinstance(value, float):
        return st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, 1.0, -0.0])
    if isinstance(value, str):
        return st.sampled_from(WORDS) | st.text(max_size=8)
    return values


@st.composite
def mutated_suites(draw: st.DrawFn) -> str:
    """The valid base suite with 1-3 mutations, dumped as YAML."""
    doc: Any = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["perturb", "perturb", "replace", "delete", "add"]))
        if not path:
            doc = draw(values) if action == "replace" else doc
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        if action == "perturb":
            parent[last] = draw(_like(parent[last]))
        elif action == "replace":
            parent[last] = draw(values)
        elif action == "delete":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(WORDS))] = draw(values)
        else:
            parent.insert(last, draw(values))
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


TOKENS = [":", ": ", "\n", "  ", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "? ", "|", ">", "'"]
TOKENS += ['"', "!!python/object/apply:os.system ['true']", "!!binary", "~", "1e3", "0x1F"]
TOKENS += [".nan", "-.inf", "2000", "-1", "#", "%YAML 1.1\n", "---\n", "...\n", "\t", "é", "\x00"]
token_soup = st.lists(st.sampled_from([*WORDS, *TOKENS]), max_size=40).map("".join)


def _run_cli(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue()


def _check(content: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "suite.yaml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        results = Path(tmp) / "results"
        code, err = _run_cli(["validate", str(path)])
        assert code in (0, 2)
        if code == 2:
            lines = err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("ganbench: error: "), err
            code, err = _run_cli(["run", str(path), "--results", str(results)])
            assert code == 2 and len(err.strip().splitlines()) == 1, err
            assert not results.exists()
            return
        suite = load_suite(path)
        fake = FakeExecutor(slots=4)
        with mock.patch.object(sweep, "_make_executor", lambda *a, **k: fake):
            run_suite(suite, results, "cpu", progress=False, options=RunOptions(poll_s=0.0))
        store = ResultStore(results, suite.name)
        expected = sorted(f"{c.run_id}.json" for c in suite.cells())
        assert sorted(p.name for p in store.dir.iterdir() if p.is_file()) == expected
        assert list(store.lock_dir.iterdir()) == []


FUZZ = settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@FUZZ
@given(mutated_suites())
@example(yaml.safe_dump(BASE))
@example(yaml.safe_dump({**BASE, "name": "fuzz\n"}))
@example(yaml.safe_dump({**BASE, "name": "../escape"}))
@example(yaml.safe_dump({**BASE, "datasets": [{"name": "grid", "params": {"n_per_side": 10**30}}]}))
def test_mutated_suites_are_accepted_or_rejected_in_one_line(text):
    _check(text)


@FUZZ
@given(token_soup)
@example("a: &a [1, 1, 1]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\npaper: {x: *c}\n")
@example("!!python/object/apply:os.system ['echo pwned']\n")
@example("? ? \n")
def test_yaml_token_soup_is_accepted_or_rejected_in_one_line(text):
    _check(text)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.binary(max_size=64))
@example(b"\xff\xfe\x00name: x")
def test_random_bytes_are_rejected_in_one_line(data):
    _check(data)


def test_suite_name_with_a_trailing_newline_is_rejected():
    """Regression: ``re.match`` with ``$`` accepted ``"fuzz\\n"`` as a suite (folder) name."""
    data = {**BASE, "name": "fuzz\n"}
    try:
        parse_suite(data, Path("s.yaml"))
    except ConfigError as exc:
        assert "not a valid suite name" in str(exc)
    else:
        raise AssertionError("a name ending in a newline was accepted")


def _alias_bomb(levels: int, under: str = "description") -> str:
    """The "billion laughs": each level is 9 aliases of the one before (9**levels strings)."""
    lines = [
        "name: bomb",
        'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines.append(f"{under}: [" + ", ".join([f"*a{levels - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _with(path: str, value: Any) -> str:
    doc: Any = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    node[int(last) if isinstance(node, list) else last] = value
    return yaml.safe_dump(doc, sort_keys=False)


HOSTILE = {
    "alias_bomb_9^10": (_alias_bomb(10), "expands to more than"),
    "alias_bomb_9^6": (_alias_bomb(6), "expands to more than"),
    "alias_bomb_in_params": (_alias_bomb(8, "objective_params"), "expands to more than"),
    "deep_lists_5000": ("name: deep\nseeds: " + "[" * 5000 + "]" * 5000 + "\n", "nested"),
    "deep_maps_5000": ("name: deep\nseeds: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n", "nested"),
    "deep_lists_300": ("name: deep\nseeds: " + "[" * 300 + "]" * 300 + "\n", "nested deeper"),
    "huge_string": (_with("description", "x" * 20_000), "characters"),
    "n_samples_1e11_int": (
        _with("eval.n_samples", 10**11),
        "eval.n_samples: expected an integer b",
    ),
    "n_samples_over_bound": (_with("eval.n_samples", 2 * 10**6), "n_samples: 2000000 is larger"),
    "n_samples_1e11_float": (_with("eval.n_samples", 1e11), "eval.n_samples: expected an integer"),
    "steps_1e30": (_with("train.steps", 10**30), "train.steps: expected an integer between"),
    "steps_over_bound": (_with("train.steps", 10**8), "train.steps: 100000000 is larger"),
    "n_critic_1e22": (_with("train.n_critic", 10**22), "train.n_critic"),
    "unroll_steps_1e16": (_with("train.unroll_steps", 10**16), "train.unroll_steps"),
    "pack_1e13": (_with("train.pack", 10**13), "train.pack"),
    "pack_over_bound": (_with("train.pack", 1000), "train.pack: 1000 is larger than the max"),
    "seed_2^63": (_with("seeds", [2**63]), r"seeds\[0\]"),
    "std_nan": (_with("datasets.1.params.std", float("nan")), "params.std: expected a finite"),
    "radius_inf": (
        _with("datasets.0", {"name": "ring", "params": {"radius": float("inf")}}),
        "radius",
    ),
    "lr_inf": (_with("train.lr", float("inf")), "train.lr: expected a finite number"),
    "noise_inf": (_with("train.instance_noise", float("inf")), "instance_noise: expected a finite"),
    "r1_gamma_nan": (
        _with("train.regularizers", [{"name": "r1", "gamma": float("nan")}]),
        "gamma: expected a finite number",
    ),
    "label_escape": (
        _with("variants.0.label", "ok\x1b[2J"),
        "control or invisible character U+001B",
    ),
    "label_bidi": (_with("variants.0.label", "abc\u202edef"), "U+202E"),
    "label_bell": (_with("objectives.0", {"name": "minimax", "label": "a\x07"}), "U+0007"),
    "label_too_long": (_with("objectives.0", {"name": "minimax", "label": "l" * 500}), "1 to 80"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_suite_is_rejected_quickly_in_one_short_line(case):
    """Alias bombs, deep nesting, huge numbers, NaN/inf and control characters (issue 13)."""
    text, pattern = HOSTILE[case]
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "suite.yaml"
        path.write_text(text, encoding="utf-8")
        code, err = _run_cli(["validate", str(path)])
    assert time.perf_counter() - t0 < 5.0
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("ganbench: error: "), err[:500]
    assert len(lines[0]) < 400 + len(str(path)), lines[0][:500]
    assert pattern in lines[0] or re.search(pattern, lines[0]), lines[0]


def test_error_messages_echo_at_most_80_characters_of_a_value():
    text = _with("datasets", ["x" * 5000])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "suite.yaml"
        path.write_text(text)
        code, err = _run_cli(["validate", str(path)])
    assert code == 2 and "..." in err and "x" * 81 not in err
