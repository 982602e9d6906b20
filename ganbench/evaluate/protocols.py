"""Named evaluation protocols: the settings published tables fix, as presets.

A protocol fixes the feature extractor's preprocessing, how many generated
samples are scored, how many real images make the reference and which split
they come from by default. ``ganbench eval --protocol NAME`` applies one;
explicit flags (``-n``, ``--n-real``, a split in ``--against``) override single
fields, and the record stores both the preset's name and every resolved
setting, so a number is always traceable to the protocol that produced it.
``ganbench ls protocols`` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ganbench.registry import Registry


@dataclass(frozen=True)
class Protocol:
    """A preset: sample counts plus ``eval.options`` fields (see ``SampleQualityOptions``)."""

    name: str
    n_fake: int
    options: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    reference: str = ""  # the publication or tool whose numbers it reproduces

    def resolved_options(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """The preset's options with ``overrides`` applied, every default filled in."""
        from ganbench.metrics.options import options_dict, resolve_options

        return options_dict(resolve_options({**self.options, **(overrides or {})}))


PROTOCOLS: Registry[Protocol] = Registry("protocol")


def _add(p: Protocol) -> None:
    PROTOCOLS.add(p.name, p, description=p.description)


_add(
    Protocol(
        "ttur",
        50000,
        {"preprocessing": "legacy_tensorflow", "n_real": None, "reference_split": "train"},
        "TTUR / torch-fidelity: 50k samples vs the whole train split, TF1 bilinear resize",
        "Heusel et al. 2017 (TTUR); torch-fidelity",
    )
)
_add(
    Protocol(
        "ttur-10k",
        10000,
        {"preprocessing": "legacy_tensorflow", "n_real": 10000, "reference_split": "train"},
        "TTUR preprocessing with 10k samples vs 10k real images (a common cheaper table)",
        "Heusel et al. 2017 (TTUR), 10k variant",
    )
)
_add(
    Protocol(
        "pytorch-fid",
        50000,
        {"preprocessing": "pytorch_fid", "n_real": None, "reference_split": "train"},
        "pytorch-fid's fid_score: torch bilinear resize (half-pixel), 50k vs the whole split",
        "Seitzer, pytorch-fid (github.com/mseitzer/pytorch-fid)",
    )
)
_add(
    Protocol(
        "clean-fid",
        50000,
        {"preprocessing": "clean", "n_real": None, "reference_split": "train"},
        "clean-fid's 'clean' mode: PIL bicubic antialiased resize, 50k vs the whole split",
        "Parmar et al. 2022 (clean-fid)",
    )
)
_add(
    Protocol(
        "quick",
        1000,
        {"preprocessing": "legacy_tensorflow", "n_real": 1000, "reference_split": "train"},
        "1k vs 1k with TTUR preprocessing: a laptop check, biased upward, not comparable "
        "with published FIDs",
        "",
    )
)

DEFAULT_PROTOCOL = "ttur-10k"


def protocol_lines() -> list[str]:
    """``ganbench ls protocols`` output: name, counts, preprocessing, description."""
    width = max(len(n) for n in PROTOCOLS.names())
    lines = []
    for entry in PROTOCOLS.entries():
        p = entry.obj
        n_real = p.options.get("n_real")
        real = "all" if n_real is None else f"{n_real}"
        pre = p.options.get("preprocessing", "legacy_tensorflow")
        default = " (default)" if p.name == DEFAULT_PROTOCOL else ""
        lines.append(
            f"{p.name.ljust(width)}  n_fake={p.n_fake} n_real={real} {pre}: "
            f"{p.description}{default}"
        )
    return lines
