"""Generators as ``ganbench eval`` inputs: TorchScript, ``module:callable``, ganbench runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from ganbench.errors import InputError
from ganbench.evaluate.inputs import load_samples, parse_input

pytestmark = [  # torch >= 2.9 deprecates TorchScript, still a common export format
    pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:FutureWarning"),
    pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:FutureWarning"),
]


class TinyGen(nn.Module):
    """Images (B, C, 5, 6) in [-1, 1] from z."""

    def __init__(self, z_dim: int = 4, channels: int = 3) -> None:
        super().__init__()
        self.z_dim = z_dim
        self.channels = channels
        self.fc = nn.Linear(z_dim, channels * 30)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.fc(z)).view(-1, self.channels, 5, 6)


class CondGen(nn.Module):
    """Conditional images; the label shifts the output so labels show in the samples."""

    def __init__(self) -> None:
        super().__init__()
        self.latent_dim = 3
        self.num_classes = 5
        self.fc = nn.Linear(3, 30)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = torch.tanh(self.fc(z)) * 0.5 + (y.float()[:, None] - 2) * 0.2
        return out.view(-1, 1, 5, 6)


class PointGen(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.fc(z)


class BadGen(nn.Module):
    """Misbehaving outputs, chosen by ``mode``."""

    def __init__(self, mode: int) -> None:
        super().__init__()
        self.nz = 2
        self.mode = mode

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        b = z.shape[0]
        if self.mode == 0:
            return torch.zeros(b, 2, 5, 5)  # 2 channels
        if self.mode == 1:
            return torch.zeros(b, 3, 5)  # 3-D
        if self.mode == 2:
            return torch.zeros(b + 1, 3, 5, 5)  # wrong batch
        if self.mode == 3:
            return torch.full((b, 3, 5, 5), float("nan"))
        return torch.zeros(b, 3, 5, 5) + z.sum()  # fine, for the other tests


def _script(module: nn.Module, path: Path) -> str:
    torch.jit.script(module).save(str(path))
    return str(path)


@pytest.fixture(scope="module")
def tiny_ts(tmp_path_factory) -> str:
    torch.manual_seed(0)
    return _script(TinyGen(), tmp_path_factory.mktemp("ts") / "g.pt")


def test_torchscript_is_deterministic_and_batch_independent(tiny_ts):
    assert parse_input(tiny_ts).input_type == "torchscript"
    a = load_samples(tiny_ts, n=37, seed=1, batch_size=10)
    b = load_samples(tiny_ts, n=37, seed=1, batch_size=16)
    assert (a.kind, a.data.dtype, a.data.shape) == ("images", torch.uint8, (37, 3, 5, 6))
    assert torch.equal(a.data, b.data)
    assert torch.equal(load_samples(tiny_ts, n=20, seed=1, batch_size=7).data, a.data[:20])
    c = load_samples(tiny_ts, n=37, seed=2, batch_size=10)
    assert not torch.equal(a.data, c.data)
    assert a.description["z_dim"] == 4 and a.description["clamped_fraction"] == 0.0
    assert len(a.description["sha256"]) == 64 and a.description["seed"] == 1


def test_torchscript_matches_the_documented_latents(tiny_ts):
    from ganbench.metrics.preprocess import to_uint8

    net = torch.jit.load(tiny_ts)
    z = torch.randn(1000, 4, generator=torch.Generator().manual_seed(5))[:3]
    with torch.inference_mode():
        expect = to_uint8(net(z))
    assert torch.equal(load_samples(tiny_ts, n=3, seed=5).data, expect)


def test_conditional_points_and_dims(tmp_path):
    torch.manual_seed(0)
    cond = _script(CondGen(), tmp_path / "c.pth")
    s = load_samples(cond, n=30, seed=0, batch_size=8)
    assert s.data.shape == (30, 1, 5, 6) and s.description["n_classes"] == 5
    assert s.description["z_dim"] == 3 and "labels" in s.description
    assert torch.equal(s.data, load_samples(cond, n=30, seed=0, batch_size=30).data)
    pts = _script(PointGen(), tmp_path / "p.ts")
    with pytest.raises(InputError, match="--z-dim"):
        load_samples(pts, n=5, seed=0)
    p = load_samples(pts, n=11, seed=3, z_dim=2, batch_size=4)
    assert (p.kind, p.data.dtype, p.data.shape) == ("points", torch.float32, (11, 2))
    with pytest.raises(InputError, match="needs the number of samples"):
        load_samples(pts, n=None, seed=0, z_dim=2)


@pytest.mark.parametrize(
    ("mode", "match"),
    [(0, "2 channels"), (1, r"shape \(\d+, 3, 5\)"), (2, "returned 5 samples for 4"), (3, "NaN")],
)
def test_bad_generator_outputs(tmp_path, mode, match):
    path = _script(BadGen(mode), tmp_path / "bad.pt")
    with pytest.raises(InputError, match=match) as err:
        load_samples(path, n=6, seed=0, batch_size=4)
    assert "\n" not in str(err.value) and path in str(err.value)


def test_generator_errors(tmp_path):
    path = _script(TinyGen(), tmp_path / "g.pt")
    with pytest.raises(InputError, match="failed on 4 latents of size 7"):
        load_samples(path, n=4, seed=0, z_dim=7)
    torch.save(TinyGen().state_dict(), tmp_path / "state.pt")
    with pytest.raises(InputError, match="not a TorchScript generator") as err:
        load_samples(str(tmp_path / "state.pt"), n=4, seed=0)
    assert "\n" not in str(err.value)


MODULE_SRC = """
import torch
from torch import nn


class Gen(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.z_dim = 4
        self.fc = nn.Linear(4, 3 * 25)

    def forward(self, z):
        return torch.tanh(self.fc(z)).view(-1, 3, 5, 5)


def make():
    return Gen()


INSTANCE = make()
NOT_A_NET = 3
"""


@pytest.fixture
def user_module(tmp_path, monkeypatch) -> str:
    name = f"usergen_{abs(hash(str(tmp_path))) % 10**8}"
    (tmp_path / f"{name}.py").write_text(MODULE_SRC)
    monkeypatch.chdir(tmp_path)
    yield name
    sys.modules.pop(name, None)


def test_callable_specs(user_module):
    path_before = list(sys.path)
    spec = parse_input(f"{user_module}:make")
    assert (spec.input_type, spec.module, spec.attr) == ("callable", user_module, "make")
    a = load_samples(f"{user_module}:make", n=13, seed=4, batch_size=5)
    b = load_samples(f"{user_module}:INSTANCE", n=13, seed=4, batch_size=13)
    c = load_samples(f"{user_module}:Gen", n=13, seed=5)
    assert sys.path == path_before
    assert a.input_type == "callable" and a.data.shape == (13, 3, 5, 5)
    assert torch.equal(a.data, b.data) and not torch.equal(a.data, c.data)
    assert len(a.description["sha256"]) == 64 and a.description["class"].endswith("Gen")
    with pytest.raises(InputError, match=r"neither an nn\.Module nor callable"):
        load_samples(f"{user_module}:NOT_A_NET", n=2, seed=0)
    with pytest.raises(InputError, match="has no attribute 'missing'"):
        load_samples(f"{user_module}:missing", n=2, seed=0)
    with pytest.raises(InputError, match="cannot import no_such_mod_xyz: ModuleNotFoundError"):
        load_samples("no_such_mod_xyz:make", n=2, seed=0)


# ------------------------------------------------------------------ ganbench runs


def _ganbench_run(tmp_path: Path, n_classes: int | None) -> tuple[Path, Path]:
    """A results folder laid out as the store writes it, with a dcgan generator."""
    from ganbench.architectures import ARCHITECTURES
    from ganbench.architectures.base import ModelContext
    from ganbench.record import SCHEMA, config_run_id

    torch.manual_seed(0)
    ctx = ModelContext((1, 28, 28), 6, 1, n_classes, 1)
    arch = {"name": "dcgan", "params": {"width": 4}}
    net = ARCHITECTURES.get("dcgan")(ctx, **arch["params"]).generator.nets[0]
    config = {"architecture": arch, "seed": 0, "n_classes": n_classes}
    run_id = config_run_id(config)
    suite = tmp_path / "results" / "s"
    weights = suite / "artifacts" / run_id / "generator.pt"
    weights.parent.mkdir(parents=True)
    torch.save(net.state_dict(), weights)
    mc = {"data_shape": [1, 28, 28], "z_dim": 6, "n_classes": n_classes, "pack": 1}
    record = {
        "schema": SCHEMA,
        "run_id": run_id,
        "suite": "s",
        "coords": {"seed": 0},
        "config": config,
        "status": "ok",
        "artifacts": {"generator": f"artifacts/{run_id}/generator.pt", "model_context": mc},
    }
    (suite / f"{run_id}.json").write_text(json.dumps(record))
    return weights, suite / f"{run_id}.json"


@pytest.mark.parametrize("n_classes", [None, 3])
def test_ganbench_run_generator(tmp_path, n_classes):
    from ganbench.runner.images import load_generator

    weights, record = _ganbench_run(tmp_path, n_classes)
    assert parse_input(str(weights)).input_type == "ganbench"
    assert parse_input(str(record)).record == record
    a = load_samples(str(weights), n=9, seed=2, batch_size=4)
    b = load_samples(str(record), n=9, seed=2, batch_size=9)
    assert a.data.shape == (9, 1, 28, 28) and torch.equal(a.data, b.data)
    assert a.description["z_dim"] == 6 and a.description["n_classes"] == n_classes
    if n_classes is None:
        from ganbench.metrics.preprocess import to_uint8

        gen = load_generator(json.loads(record.read_text()), record.parent)
        z = torch.randn(1000, 6, generator=torch.Generator().manual_seed(2))[:9]
        with torch.inference_mode():
            assert torch.equal(a.data, to_uint8(gen(z[None])[0]))
    with pytest.raises(InputError, match="disagrees with the run's record"):
        load_samples(str(weights), n=2, seed=0, z_dim=5)


def test_parse_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        parse_input(str(tmp_path / "nope.npz"))
    (tmp_path / "x.csv").write_text("1,2")
    with pytest.raises(InputError, match=r"unsupported file type '\.csv'"):
        parse_input(str(tmp_path / "x.csv"))
    with pytest.raises(InputError, match="empty input spec"):
        parse_input(" ")
    assert parse_input(str(tmp_path)).input_type == "folder"
