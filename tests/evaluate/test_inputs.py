"""The "fake side" inputs of ``ganbench eval``: folders, arrays and generators."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganbench.errors import GanbenchError, InputError
from ganbench.evaluate.inputs import load_samples

RNG = np.random.default_rng(0)


def _rgb(h: int = 5, w: int = 6) -> np.ndarray:
    return RNG.integers(0, 256, (h, w, 3), dtype=np.uint8)


def _gray(h: int = 5, w: int = 6) -> np.ndarray:
    return RNG.integers(0, 256, (h, w), dtype=np.uint8)


def _save(path: Path, pixels: np.ndarray, **kw: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path, **kw)
    return path


# ------------------------------------------------------------------ folders


def test_folder_nested_rgb_sorted_and_exact(tmp_path):
    pics = {"b/x.png": _rgb(), "a/deep/er/y.PNG": _rgb(), "c.bmp": _rgb(), "a/z.webp": _rgb()}
    for rel, px in pics.items():
        _save(tmp_path / rel, px, **({"lossless": True} if rel.endswith("webp") else {}))
    (tmp_path / "notes.txt").write_text("not an image")
    s = load_samples(str(tmp_path), n=None, seed=0)
    assert (s.kind, s.input_type, s.data.dtype) == ("images", "folder", torch.uint8)
    assert s.data.shape == (4, 3, 5, 6)
    order = sorted(pics, key=str)  # relative POSIX paths, sorted
    for i, rel in enumerate(order):
        assert torch.equal(s.data[i], torch.from_numpy(pics[rel]).permute(2, 0, 1))
    assert s.description["files"] == 4 and len(s.description["sha256"]) == 64
    again = load_samples(str(tmp_path), n=None, seed=7)  # the seed does not matter
    assert torch.equal(again.data, s.data) and again.description == s.description
    first2 = load_samples(str(tmp_path), n=2, seed=0)
    assert torch.equal(first2.data, s.data[:2])
    assert "first 2 of 4" in first2.description["selection"]
    with pytest.raises(InputError, match="5 samples requested but it holds only 4"):
        load_samples(str(tmp_path), n=5, seed=0)


def test_folder_gray_stays_one_channel_and_mixed_modes_become_rgb(tmp_path):
    g1, g2 = _gray(), _gray()
    _save(tmp_path / "g" / "1.png", g1)
    _save(tmp_path / "g" / "2.png", g2)
    s = load_samples(str(tmp_path / "g"), n=None, seed=0)
    assert s.data.shape == (2, 1, 5, 6) and torch.equal(s.data[1, 0], torch.from_numpy(g2))
    assert s.description["channels"].startswith("1")
    rgba = np.concatenate([_rgb(), np.full((5, 6, 1), 7, np.uint8)], axis=2)
    _save(tmp_path / "g" / "3.png", rgba)
    s = load_samples(str(tmp_path / "g"), n=None, seed=0)
    assert s.data.shape == (3, 3, 5, 6)
    assert torch.equal(s.data[0], torch.from_numpy(g1).expand(3, 5, 6))  # as convert("RGB")
    assert torch.equal(s.data[2], torch.from_numpy(rgba[..., :3]).permute(2, 0, 1))


def test_folder_jpeg_decodes_like_pil(tmp_path):
    p = _save(tmp_path / "a.jpg", _rgb(8, 8), quality=90)
    _save(tmp_path / "b.jpeg", _rgb(8, 8))
    s = load_samples(str(tmp_path), n=None, seed=0)
    expect = np.array(Image.open(p).convert("RGB"))
    assert s.data.shape == (2, 3, 8, 8)
    assert torch.equal(s.data[0], torch.from_numpy(expect).permute(2, 0, 1))


def test_folder_errors_are_one_line(tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "sub" / "a.txt").write_text("x")
    with pytest.raises(InputError, match=r"no image files.*\.png") as err:
        load_samples(str(tmp_path / "empty"), n=None, seed=0)
    assert "\n" not in str(err.value)
    _save(tmp_path / "mixed" / "a.png", _rgb(5, 6))
    _save(tmp_path / "mixed" / "b" / "c.png", _rgb(7, 6))
    with pytest.raises(InputError, match=r"a\.png is 6x5 but .*c\.png is 6x7") as err:
        load_samples(str(tmp_path / "mixed"), n=None, seed=0)
    assert "\n" not in str(err.value)
    _save(tmp_path / "bad" / "a.png", _rgb())
    (tmp_path / "bad" / "b.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(InputError, match=r"cannot decode image .*b\.png") as err:
        load_samples(str(tmp_path / "bad"), n=None, seed=0)
    assert "\n" not in str(err.value)
    assert issubclass(InputError, GanbenchError)


# ------------------------------------------------------------------ arrays

IMAGES = RNG.integers(0, 256, (6, 3, 5, 7), dtype=np.uint8)  # the expected NCHW uint8
GRAY = RNG.integers(0, 256, (6, 1, 5, 7), dtype=np.uint8)
LAYOUTS = {
    "uint8 NHWC": (IMAGES.transpose(0, 2, 3, 1), IMAGES),
    "uint8 NCHW": (IMAGES, IMAGES),
    "float [-1,1] NCHW": (IMAGES.astype(np.float32) / 127.5 - 1, IMAGES),
    "float [0,1] NHWC": (IMAGES.transpose(0, 2, 3, 1) / 255.0, IMAGES),
    "uint8 NHWC gray": (GRAY.transpose(0, 2, 3, 1), GRAY),
    "uint8 NHW": (GRAY[:, 0], GRAY),
    "float16 [0,1] NCHW gray": ((GRAY / 255.0).astype(np.float16), GRAY),
    "uint8 NHWC RGBA": (
        np.concatenate([IMAGES, GRAY], axis=1).transpose(0, 2, 3, 1),
        IMAGES,
    ),
    "int64 NCHW": (IMAGES.astype(np.int64), IMAGES),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
@pytest.mark.parametrize("fmt", ["npy", "npz"])
def test_arrays_round_trip_every_layout(tmp_path, name, fmt):
    arr, expect = LAYOUTS[name]
    path = tmp_path / f"x.{fmt}"
    np.save(path, arr) if fmt == "npy" else np.savez(path, images=arr)
    s = load_samples(str(path), n=None, seed=0)
    assert (s.kind, s.input_type) == ("images", fmt)
    assert torch.equal(s.data, torch.from_numpy(expect))
    assert s.description["layout"] and s.description["conversion"]
    assert len(s.description["sha256"]) == 64
    assert torch.equal(load_samples(str(path), n=4, seed=3).data, torch.from_numpy(expect[:4]))


def test_points_and_npz_keys(tmp_path):
    pts = RNG.normal(size=(9, 2))
    np.savez(tmp_path / "p.npz", labels=np.arange(9), samples=pts)
    s = load_samples(str(tmp_path / "p.npz"), n=5, seed=0)
    assert (s.kind, s.data.dtype, s.description["key"]) == ("points", torch.float32, "samples")
    assert torch.equal(s.data, torch.from_numpy(pts[:5].astype(np.float32)))
    np.savez(tmp_path / "only.npz", whatever=pts)
    assert load_samples(str(tmp_path / "only.npz"), n=None, seed=0).description["key"] == "whatever"
    np.savez(tmp_path / "two.npz", a=pts, b=pts)
    with pytest.raises(InputError, match=r"keys \['a', 'b'\]"):
        load_samples(str(tmp_path / "two.npz"), n=None, seed=0)


@pytest.mark.parametrize(
    ("arr", "match"),
    [
        (np.array([[0.0, np.nan]]), "NaN"),
        (np.full((2, 3, 5, 5), np.inf, np.float32), "NaN or infinite"),
        (np.full((2, 3, 5, 5), 2.0), r"\[-1, 1\] or \[0, 1\]"),
        (np.full((2, 3, 5, 5), -1.5), r"\[-1, 1\] or \[0, 1\]"),
        (np.zeros((2, 5, 5, 2), np.uint8), "channel axis"),
        (np.zeros((2, 3, 5, 3), np.uint8), "ambiguous"),
        (np.zeros((2, 5), np.uint8), "must be float"),
        (np.zeros((2,)), "expected images"),
        (np.zeros((2, 3, 5, 5), bool), "numeric"),
        (np.full((2, 3, 5, 5), 300, np.int32), r"\[0, 255\]"),
        (np.array(["a", "b"]), "numeric"),
    ],
)
def test_array_errors(tmp_path, arr, match):
    np.save(tmp_path / "x.npy", arr)
    with pytest.raises(InputError, match=match) as err:
        load_samples(str(tmp_path / "x.npy"), n=None, seed=0)
    assert "\n" not in str(err.value)


def test_pickled_arrays_are_refused(tmp_path):
    np.save(tmp_path / "o.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match="cannot read"):
        load_samples(str(tmp_path / "o.npy"), n=None, seed=0)
    with pytest.raises(InputError, match="generators only"):
        np.save(tmp_path / "ok.npy", IMAGES)
        load_samples(str(tmp_path / "ok.npy"), n=None, seed=0, z_dim=4)
