"""Search spaces: distributions over suite parameters and their strict YAML syntax.

A search space maps *parameter paths* to *distributions*. A path is dotted and
starts with the section it sets::

    train.lr                  TrainConfig field ``lr``
    train.betas.0             item 0 of the tuple ``betas`` (integer segments index lists/tuples)
    objective.gp_weight       the objective's parameter ``gp_weight``
    architecture.width        the architecture's parameter ``width``

A distribution is written as a string or a YAML list::

    log_uniform(1e-4, 1e-2)   log-uniform on [low, high], 0 < low < high
    uniform(-1, 0)            uniform on [low, high], low < high
    int_range(1, 5)           an integer in {low, ..., high} (both ends included), low < high
    choice(0.0, 0.5)          one of the values, each equally likely
    [0.0, 0.5]                the same choice as a YAML list

Inside a YAML flow mapping or list (``{...}``, ``[...]``) a comma ends the value,
so quote a distribution there: ``wgan-gp: {objective.gp_weight: "log_uniform(0.1,
100)"}``; the block style (one ``path: distribution`` per line) needs no quotes.

Choice values are numbers, strings, booleans, null or lists of those (``choice([0.0,
0.9], [0.5, 0.999])`` searches whole ``betas`` tuples); a one-value choice fixes a
parameter (e.g. to override a shared range for one objective). Every distribution
maps a unit-interval number ``u`` to a value by its inverse CDF (:meth:`sample`), so
random and quasi-random (Sobol) samplers share it. ``describe()`` gives the string
syntax back (it parses to an equal distribution).

Whether a path names an existing parameter of the suite's objectives and train
config is not checked here; :attr:`SearchSpace.paths` exposes them for that.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from typing import Any

from ganbench.errors import ConfigError, echo
from ganbench.strict import expect
from ganbench.yamlio import load_yaml_text

SECTIONS = ("train", "objective", "architecture")  # the configs a path may set
PATH_RE = re.compile(
    r"^(?:train|objective|architecture)\.[A-Za-z_][A-Za-z0-9_]*(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+))*$"
)
CALL_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*$", re.DOTALL)
OPEN_RE = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*\([^)]*$")  # a call cut at a comma
SYNTAX = (
    "log_uniform(low, high), uniform(low, high), int_range(low, high), "
    "choice(v1, v2, ...) or a YAML list of choices"
)
PATH_HELP = (
    "a dotted path starting with train., objective. or architecture. "
    "(integer segments index tuples, e.g. train.betas.0)"
)
MAX_CHOICES = 1000


@dataclass(frozen=True)
class LogUniform:
    """Log-uniform on ``[low, high]`` (``0 < low < high``): ``log(x)`` is uniform."""

    low: float
    high: float

    def sample(self, u: float) -> float:
        """The value at quantile ``u`` in [0, 1]: ``low * (high / low) ** u``."""
        if u <= 0.0 or u >= 1.0:
            return self.low if u <= 0.0 else self.high
        log_low, log_high = math.log(self.low), math.log(self.high)
        value = math.exp(log_low + u * (log_high - log_low))
        return min(max(value, self.low), self.high)

    def describe(self) -> str:
        """The suite syntax of this distribution."""
        return f"log_uniform({self.low!r}, {self.high!r})"


@dataclass(frozen=True)
class Uniform:
    """Uniform on ``[low, high]`` (``low < high``)."""

    low: float
    high: float

    def sample(self, u: float) -> float:
        """The value at quantile ``u`` in [0, 1]: ``low + u * (high - low)``."""
        return min(max(self.low + u * (self.high - self.low), self.low), self.high)

    def describe(self) -> str:
        """The suite syntax of this distribution."""
        return f"uniform({self.low!r}, {self.high!r})"


@dataclass(frozen=True)
class IntRange:
    """An integer in ``{low, ..., high}``, both ends included, each equally likely."""

    low: int
    high: int

    def sample(self, u: float) -> int:
        """``low + floor(u * n)`` over the ``n`` integers, clamped (``u = 1`` gives ``high``)."""
        n = self.high - self.low + 1
        return self.low + min(max(math.floor(u * n), 0), n - 1)

    def describe(self) -> str:
        """The suite syntax of this distribution."""
        return f"int_range({self.low}, {self.high})"


@dataclass(frozen=True)
class Choice:
    """One of ``values``, each equally likely (lists are stored as tuples)."""

    values: tuple[Any, ...]

    def sample(self, u: float) -> Any:
        """``values[floor(u * n)]``, clamped (``u = 1`` gives the last); tuples as lists."""
        n = len(self.values)
        return _thaw(self.values[min(max(math.floor(u * n), 0), n - 1)])

    def describe(self) -> str:
        """The suite syntax of this distribution."""
        return f"choice({', '.join(_yaml_scalar(v) for v in self.values)})"


Distribution = LogUniform | Uniform | IntRange | Choice


@dataclass(frozen=True)
class SearchSpace:
    """Parameter path → distribution, sorted by path (the sampler's dimension order)."""

    params: tuple[tuple[str, Distribution], ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        """The parameter paths, sorted."""
        return tuple(path for path, _ in self.params)

    def __len__(self) -> int:
        return len(self.params)

    def get(self, path: str) -> Distribution | None:
        """The distribution of ``path``, or ``None``."""
        return dict(self.params).get(path)

    def merged(self, other: SearchSpace, where: str = "search") -> SearchSpace:
        """This space plus ``other``'s parameters (on the same path ``other`` wins)."""
        params = {**dict(self.params), **dict(other.params)}
        _check_no_overlap(sorted(params), where)
        return SearchSpace(tuple(sorted(params.items())))

    def describe(self) -> dict[str, str]:
        """Path → suite syntax, for records and reports."""
        return {path: dist.describe() for path, dist in self.params}


def _thaw(value: Any) -> Any:
    return [_thaw(v) for v in value] if isinstance(value, tuple) else value


def _freeze(value: Any) -> Any:
    return tuple(_freeze(v) for v in value) if isinstance(value, list | tuple) else value


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numbers(args: list[Any], where: str, text: str, integer: bool) -> tuple[Any, Any]:
    kind = "integers" if integer else "numbers"
    ok = all(isinstance(a, int) if integer else _is_number(a) for a in args)
    if len(args) != 2 or not ok or any(isinstance(a, bool) for a in args):
        raise ConfigError(f"{where}: expected two {kind} (low, high) in {echo(text)}")
    low, high = args
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ConfigError(f"{where}: bounds must be finite in {echo(text)}")
    if low >= high:
        raise ConfigError(
            f"{where}: low must be < high in {echo(text)} (to fix a value use choice(value))"
        )
    return low, high


def _check_choice_value(value: Any, where: str) -> None:
    if isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, list | tuple):
                raise ConfigError(
                    f"{where}: choice values nest at most one list, got {echo(value)}"
                )
            _check_choice_value(item, where)
        return
    if not (value is None or isinstance(value, str | bool) or _is_number(value)):
        raise ConfigError(
            f"{where}: choice values are numbers, strings, booleans, null or lists of them, "
            f"got {echo(value)}"
        )
    if _is_number(value) and not math.isfinite(value):
        raise ConfigError(f"{where}: choice values must be finite, got {echo(value)}")


def _choice(values: list[Any], where: str) -> Choice:
    if not values:
        raise ConfigError(f"{where}: empty choice (give at least one value)")
    if len(values) > MAX_CHOICES:
        raise ConfigError(f"{where}: {len(values)} choices (at most {MAX_CHOICES})")
    for value in values:
        _check_choice_value(value, where)
    frozen = tuple(_freeze(v) for v in values)
    keys = [_yaml_scalar(v) for v in frozen]
    if len(set(keys)) != len(keys):
        raise ConfigError(f"{where}: duplicate choice values in {echo(values)}")
    return Choice(frozen)


def _call_args(inner: str, where: str, text: str) -> list[Any]:
    try:
        args = load_yaml_text(f"[{inner}]", where)
    except ConfigError:
        raise ConfigError(f"{where}: cannot read the arguments of {echo(text)}") from None
    if not isinstance(args, list):
        raise ConfigError(f"{where}: cannot read the arguments of {echo(text)}")
    return args


def parse_distribution(raw: Any, where: str) -> Distribution:
    """A distribution from its suite syntax (a string or a YAML list of choices)."""
    if isinstance(raw, list):
        return _choice(raw, where)
    if not isinstance(raw, str):
        raise ConfigError(f"{where}: expected a distribution ({SYNTAX}), got {echo(raw)}")
    match = CALL_RE.match(raw)
    if match is None and OPEN_RE.match(raw):
        raise ConfigError(
            f"{where}: unbalanced parentheses in {echo(raw)} (inside a YAML flow mapping "
            "{...} or list [...], quote the distribution: 'uniform(0, 1)')"
        )
    if match is None:
        raise ConfigError(f"{where}: expected a distribution ({SYNTAX}), got {echo(raw)}")
    name, inner = match.groups()
    args = _call_args(inner, where, raw)
    if name == "choice":
        return _choice(args, where)
    if name == "int_range":
        return IntRange(*_numbers(args, where, raw, integer=True))
    if name in ("uniform", "log_uniform"):
        low, high = _numbers(args, where, raw, integer=False)
        if name == "uniform":
            return Uniform(float(low), float(high))
        if low <= 0:
            raise ConfigError(f"{where}: log_uniform needs 0 < low, got {echo(raw)}")
        return LogUniform(float(low), float(high))
    raise ConfigError(
        f"{where}: unknown distribution {echo(name)} in {echo(raw)} "
        "(valid: choice, int_range, log_uniform, uniform)"
    )


def check_path(path: Any, where: str) -> str:
    """A parameter path: ``train.*``, ``objective.*`` or ``architecture.*``."""
    expect(path, str, where, f"a parameter path ({PATH_HELP})")
    if not PATH_RE.match(path):
        raise ConfigError(f"{where}: invalid parameter path {echo(path)} (expected {PATH_HELP})")
    return path


def _check_no_overlap(paths: list[str], where: str) -> None:
    """No path is a prefix of another (``train.betas`` and ``train.betas.0`` conflict)."""
    for a, b in itertools.pairwise(paths):
        if b.startswith(a + "."):
            raise ConfigError(
                f"{where}: {echo(a)} and {echo(b)} set the same value (search one of them)"
            )


def parse_space(mapping: Any, where: str) -> SearchSpace:
    """A :class:`SearchSpace` from a mapping ``path: distribution`` (may be empty)."""
    expect(mapping, dict, where, "a mapping of parameter paths to distributions")
    params: dict[str, Distribution] = {}
    for path, raw in mapping.items():
        check_path(path, where)
        params[path] = parse_distribution(raw, f"{where}.{path}")
    _check_no_overlap(sorted(params), where)
    return SearchSpace(tuple(sorted(params.items())))
