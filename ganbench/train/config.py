"""Training settings of one cell (frozen, validated); evaluation: :mod:`ganbench.metrics.config`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from ganbench.errors import ConfigError
from ganbench.params import resolve_params
from ganbench.regularizers import REGULARIZERS


@dataclass(frozen=True)
class TrainConfig:
    """Shared training settings; every field can be set in a suite's ``train`` section.

    ``lr`` applies to both players unless ``g_lr``/``d_lr`` are given (TTUR).
    ``lr_schedule: linear`` keeps the rate constant until ``decay_start`` × steps,
    then decays it linearly to ``lr_end_factor`` × the rate (default 0) at ``decay_end`` ×
    steps (default the last step) and keeps it there; ``lr_schedule: step`` divides it by 10 at
    ``decay_start`` × steps and keeps it there. ``n_critic`` discriminator updates are made per
    generator update (Algorithm 1 of Goodfellow et al. 2014). ``ema`` is the
    decay of an exponential moving average of the generator's weights; when set,
    evaluation uses the averaged generator and the record says so.

    Tricks (each off by default):

    * ``regularizers``: discriminator regularizers from ``REGULARIZERS``, e.g.
      ``[r1]`` or ``[{name: r1, gamma: 10}]``; stored as mappings with every
      parameter filled in (so the resolved config and the run id are explicit).
    * ``label_smoothing``: one-sided label smoothing (Salimans et al. 2016): the
      real target is ``1 − label_smoothing`` (0.1 gives their 0.9); classic family.
    * ``unroll_steps``: unrolled GAN (Metz et al. 2017): G's loss is taken against
      D after K differentiable look-ahead updates; D keeps only its first (real) update.
    * ``pack``: PacGAN packing degree m (Lin et al. 2018): D scores ``batch_size``
      inputs of m concatenated samples (m·batch_size samples are drawn per step).
    * ``conditional``: class-conditional training on a labelled dataset; G is fed the
      labels of the real batch, D sees the labels of what it scores.
    * ``instance_noise``: std σ₀ of Gaussian noise added to every D input (real and
      fake; Sønderby et al. 2017, Arjovsky & Bottou 2017), annealed linearly to 0 at
      ``instance_noise_anneal`` × steps.
    """

    steps: int = 2000
    batch_size: int = 256
    z_dim: int = 2
    optimizer: Literal["adam", "rmsprop", "sgd"] = "adam"
    lr: float = 1e-3
    g_lr: float | None = None
    d_lr: float | None = None
    betas: tuple[float, float] = (0.5, 0.999)
    n_critic: int = 1
    lr_schedule: Literal["constant", "linear", "step"] = "constant"
    decay_start: float = 0.5
    decay_end: float = 1.0
    lr_end_factor: float = 0.0
    ema: float | None = None
    ema_start: int = 0
    log_every: int = 50
    regularizers: tuple[str | dict[str, Any], ...] = ()
    label_smoothing: float = 0.0
    unroll_steps: int = 0
    pack: int = 1
    conditional: bool = False
    instance_noise: float = 0.0
    instance_noise_anneal: float = 1.0

    def __post_init__(self) -> None:
        checks = [
            (self.steps >= 1, "steps must be >= 1"),
            (self.batch_size >= 1, "batch_size must be >= 1"),
            (self.z_dim >= 1, "z_dim must be >= 1"),
            (self.lr > 0, "lr must be > 0"),
            (self.g_lr is None or self.g_lr > 0, "g_lr must be > 0"),
            (self.d_lr is None or self.d_lr > 0, "d_lr must be > 0"),
            (all(0 <= b < 1 for b in self.betas), "betas must lie in [0, 1)"),
            (self.n_critic >= 1, "n_critic must be >= 1"),
            (0 <= self.decay_start < 1, "decay_start must lie in [0, 1)"),
            (
                self.decay_start < self.decay_end <= 1,
                "decay_end must lie in (decay_start, 1]",
            ),
            (0 <= self.lr_end_factor <= 1, "lr_end_factor must lie in [0, 1]"),
            (
                self.lr_schedule == "linear"
                or (self.decay_end == 1.0 and self.lr_end_factor == 0.0),
                "decay_end and lr_end_factor apply only to lr_schedule: linear",
            ),
            (self.ema is None or 0 < self.ema < 1, "ema must lie in (0, 1)"),
            (self.ema_start >= 0, "ema_start must be >= 0"),
            (self.log_every >= 1, "log_every must be >= 1"),
            (0 <= self.label_smoothing < 1, "label_smoothing must lie in [0, 1)"),
            (self.unroll_steps >= 0, "unroll_steps must be >= 0"),
            (self.pack >= 1, "pack must be >= 1"),
            (self.instance_noise >= 0, "instance_noise must be >= 0"),
            (0 < self.instance_noise_anneal <= 1, "instance_noise_anneal must lie in (0, 1]"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        resolved = tuple(_resolve_regularizer(r, i) for i, r in enumerate(self.regularizers))
        object.__setattr__(self, "regularizers", resolved)

    @property
    def generator_lr(self) -> float:
        """Generator learning rate."""
        return self.g_lr if self.g_lr is not None else self.lr

    @property
    def discriminator_lr(self) -> float:
        """Discriminator learning rate."""
        return self.d_lr if self.d_lr is not None else self.lr


# Fields added after suites had records: left out of the resolved config (and so of the
# run id) while at their default, so that adding them did not change any existing run id.
LATER_FIELDS: dict[str, Any] = {"decay_end": 1.0, "lr_end_factor": 0.0}


def resolved_train(cfg: TrainConfig) -> dict[str, Any]:
    """The JSON-able settings of ``cfg`` for a run id: every field but later ones at default."""
    out = asdict(cfg)
    for name, default in LATER_FIELDS.items():
        if out[name] == default:
            del out[name]
    return out


def _resolve_regularizer(spec: Any, index: int) -> dict[str, Any]:
    """Validate one ``regularizers`` entry (a name or ``{name, **params}``); fill in defaults."""
    where = f"regularizers[{index}]"
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str):
        raise ValueError(f"{where}: expected a mapping with a regularizer 'name', got {spec!r}")
    name = spec["name"]
    if name not in REGULARIZERS:
        raise ValueError(f"{where}: {REGULARIZERS.unknown_message(name)}")
    given = {k: v for k, v in spec.items() if k != "name"}
    try:
        params = resolve_params(REGULARIZERS.get(name), given, where=where)
        REGULARIZERS.get(name)(**params)  # parameter range checks
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    except ValueError as exc:
        raise ValueError(f"{where} ({name}): {exc}") from None
    return {"name": name, **params}
