"""Environment and provenance captured into every record."""

from __future__ import annotations

import functools
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import torch

import ganbench


@functools.cache
def git_hash() -> str | None:
    """The commit of the ganbench checkout, or ``None`` outside a git checkout."""
    root = Path(ganbench.__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    sha = out.stdout.strip()
    return sha if out.returncode == 0 and sha else None


def device_name(device: torch.device) -> str:
    """Human-readable device description."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"


def environment(device: torch.device) -> dict[str, Any]:
    """Versions, device and git hash for a record."""
    return {
        "ganbench": ganbench.__version__,
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "device": str(device),
        "device_name": device_name(device),
        "git": git_hash(),
    }


def resolve_device(requested: str | None) -> torch.device:
    """``cpu``/``cuda``/``None`` (auto) → ``torch.device``; asking for absent CUDA is an error."""
    from ganbench.errors import ConfigError

    if requested in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda: no CUDA device is available (use cpu or auto)")
    if requested not in ("cpu", "cuda"):
        raise ConfigError(f"--device {requested!r}: expected cpu, cuda or auto")
    return torch.device(requested)
