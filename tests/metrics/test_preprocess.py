from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from ganbench.metrics.preprocess import (
    as_uint8_images,
    pil_bicubic_resize,
    preprocess,
    tf1_bilinear_matrix,
    tf1_bilinear_resize,
    to_uint8,
)

pytestmark = pytest.mark.usefixtures("single_thread")


def test_tf1_bilinear_by_hand():
    """TF1, align_corners=False, 2 → 4: source positions 0, 0.5, 1, 1.5 (upper clamped)."""
    expected = torch.tensor([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [0.0, 1.0]])
    torch.testing.assert_close(tf1_bilinear_matrix(2, 4), expected)


@pytest.mark.parametrize("size", [(8, 8), (28, 28), (32, 32), (40, 24)])
def test_tf1_bilinear_matches_torch_fidelity(size):
    interp = pytest.importorskip("torch_fidelity.interpolate_compat_tensorflow")
    x = torch.randint(0, 256, (2, 3, *size), generator=torch.Generator().manual_seed(0)).float()
    ref = interp.interpolate_bilinear_2d_like_tensorflow1x(x, size=(299, 299), align_corners=False)
    torch.testing.assert_close(tf1_bilinear_resize(x), ref, atol=1e-4, rtol=0)


def test_clean_resize_is_pil_bicubic_per_channel():
    x = torch.randint(0, 256, (1, 1, 12, 12), generator=torch.Generator().manual_seed(1)).float()
    img = Image.fromarray(x[0, 0].numpy()).resize((299, 299), resample=Image.Resampling.BICUBIC)
    expected = torch.from_numpy(np.asarray(img).clip(0, 255))
    torch.testing.assert_close(pil_bicubic_resize(x)[0, 0], expected)


@pytest.mark.parametrize("method", ["legacy_tensorflow", "clean"])
def test_preprocess_scales_and_repeats_grayscale(method):
    gray = torch.randint(0, 256, (2, 1, 8, 8), dtype=torch.uint8)
    out = preprocess(gray, method)
    assert out.shape == (2, 3, 299, 299) and out.dtype == torch.float32
    assert torch.equal(out[:, 0], out[:, 2])
    assert out.min() >= -1.0 and out.max() <= 127 / 128
    native = torch.full((1, 3, 299, 299), 255, dtype=torch.uint8)
    assert torch.all(preprocess(native, method) == 127 / 128)  # (255 − 128) / 128, no resize


def test_to_uint8_inverts_the_dataset_scaling():
    pixels = torch.arange(256, dtype=torch.uint8).reshape(1, 1, 16, 16)
    as_float = pixels.float() / 127.5 - 1.0
    assert torch.equal(to_uint8(as_float), pixels)
    assert torch.equal(
        to_uint8(torch.tensor([-3.0, 3.0])), torch.tensor([0, 255], dtype=torch.uint8)
    )


@pytest.mark.parametrize(
    ("images", "match"),
    [
        (torch.zeros(2, 3, 8, 8), "uint8"),
        (torch.zeros(2, 2, 8, 8, dtype=torch.uint8), "1 or 3"),
        (np.zeros((3, 8, 8), dtype=np.uint8), "shape"),
        ([1, 2], "NumPy array or torch tensor"),
    ],
)
def test_bad_images_are_one_line_errors(images, match):
    with pytest.raises((TypeError, ValueError), match=match):
        as_uint8_images(images)


def test_unknown_preprocessing():
    with pytest.raises(ValueError, match="legacy_tensorflow, clean"):
        preprocess(torch.zeros(1, 3, 8, 8, dtype=torch.uint8), "bilinear")
