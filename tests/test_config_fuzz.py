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
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

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
