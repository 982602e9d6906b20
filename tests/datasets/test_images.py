"""Image datasets: lookup order, offline errors, splits, sampling, conversions, imagefolder."""

from __future__ import annotations

import gzip
import logging
import urllib.error

import numpy as np
import pytest
import torch

from ganbench.config import build_component
from ganbench.datasets import DATASETS, ImageDataset, image_files, images
from ganbench.datasets.images import resize, to_float, to_uint8
from ganbench.errors import AssetError

FASHION = images.DEBIAN_FASHION_MNIST
needs_fashion = pytest.mark.skipif(
    not (FASHION / "train-images-idx3-ubyte.gz").is_file(),
    reason="dataset-fashion-mnist is not installed",
)
IMAGE_SETS = [n for n in DATASETS.names() if n in {"fashion-mnist", "mnist", "cifar10", "digits"}]


def write_idx(path, array: np.ndarray, gz: bool = True) -> None:
    """Write ``array`` (uint8) as an idx file, the MNIST format."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    data = header + array.astype(np.uint8).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        with gzip.open(str(path) + ".gz", "wb") as fh:
            fh.write(data)
    else:
        path.write_bytes(data)


def fake_idx_folder(folder, n_train: int = 12, n_test: int = 5, gz: bool = True) -> None:
    """Four idx files with image ``i`` filled with the value ``i`` and label ``i % 10``."""
    for split, n in (("train", n_train), ("test", n_test)):
        img_name, lab_name = image_files.IDX_NAMES[split]
        imgs = np.arange(n, dtype=np.uint8)[:, None, None] * np.ones((1, 28, 28), np.uint8)
        write_idx(folder / img_name, imgs, gz)
        write_idx(folder / lab_name, np.arange(n, dtype=np.uint8) % 10, gz)


@pytest.fixture
def empty_data_root(tmp_path, monkeypatch):
    """An empty data root and no Debian Fashion-MNIST: nothing can be found locally."""
    root = tmp_path / "data"
    monkeypatch.setenv("GANBENCH_DATA", str(root))
    monkeypatch.setattr(images, "DEBIAN_FASHION_MNIST", tmp_path / "no-debian")
    return root


def test_uint8_float_roundtrip_is_exact():
    x = torch.arange(256, dtype=torch.uint8).reshape(1, 1, 16, 16)
    f = to_float(x)
    assert f.dtype == torch.float32 and f.min() == -1 and f.max() == 1
    assert torch.equal(to_uint8(f), x)
    assert torch.equal(
        to_uint8(torch.tensor([-3.0, 3.0])), torch.tensor([0, 255], dtype=torch.uint8)
    )


def test_resize_keeps_constants_and_shapes():
    x = torch.full((3, 1, 28, 28), 77, dtype=torch.uint8)
    assert torch.equal(resize(x, 32), torch.full((3, 1, 32, 32), 77, dtype=torch.uint8))
    assert resize(x, 14).shape == (3, 1, 14, 14)
    assert resize(x, None) is x


@needs_fashion
def test_fashion_mnist_from_the_debian_package():
    ds = DATASETS.get("fashion-mnist")()
    assert isinstance(ds, ImageDataset) and ds.kind == "images"
    assert ds.shape == (1, 28, 28) and ds.n_classes == 10 and ds.split == "train"
    assert ds.source == str(FASHION)
    train, test = ds.images_uint8("train"), ds.images_uint8("test")
    assert train.shape == (60000, 1, 28, 28) and test.shape == (10000, 1, 28, 28)
    assert train.dtype == torch.uint8
    # Fashion-MNIST is balanced: 6,000 / 1,000 images per class
    assert torch.equal(torch.bincount(ds.labels("train")), torch.full((10,), 6000))
    assert torch.equal(torch.bincount(ds.labels("test")), torch.full((10,), 1000))
    assert ds.labels("test").dtype == torch.int64
    with pytest.raises(ValueError, match="unknown split 'val'"):
        ds.images_uint8("val")


@needs_fashion
def test_samples_are_dataset_images_with_their_labels():
    ds = DATASETS.get("fashion-mnist")(split="test")
    flat = ds.images_uint8("test").reshape(10000, -1).to(torch.int64)
    weights = torch.randint(1, 2**31, (flat.shape[1],), generator=torch.Generator().manual_seed(0))
    index = {int(h): i for i, h in enumerate(flat @ weights)}
    x, y = ds.sample_labeled(200, torch.Generator().manual_seed(1))
    assert x.shape == (200, 1, 28, 28) and x.dtype == torch.float32
    assert float(x.min()) >= -1 and float(x.max()) <= 1
    rows = [index[int(h)] for h in to_uint8(x).reshape(200, -1).to(torch.int64) @ weights]
    assert torch.equal(ds.labels("test")[rows], y)
    same = ds.sample(200, torch.Generator().manual_seed(1))
    assert torch.equal(same, x)  # sample and sample_labeled make the same draws


def test_explicit_root_wins_and_is_strict(tmp_path, empty_data_root):
    fake_idx_folder(tmp_path / "mine", gz=False)
    ds = DATASETS.get("fashion-mnist")(root=str(tmp_path / "mine"))
    assert ds.source == str((tmp_path / "mine").resolve())
    assert len(ds) == 12 and len(ds.images_uint8("test")) == 5
    assert int(ds.images_uint8("train")[7].float().mean()) == 7 and int(ds.labels()[7]) == 7
    with pytest.raises(AssetError, match="no idx files"):
        DATASETS.get("fashion-mnist")(root=str(tmp_path / "elsewhere"))


def test_torchvision_layout_under_the_data_root(empty_data_root):
    fake_idx_folder(empty_data_root / "FashionMNIST" / "raw")
    ds = DATASETS.get("fashion-mnist")(download=False)
    assert ds.source.endswith("FashionMNIST/raw") and len(ds) == 12


def test_missing_offline_is_one_line(empty_data_root):
    with pytest.raises(AssetError) as err:
        DATASETS.get("mnist")(download=False)
    msg = str(err.value)
    assert "\n" not in msg and "mnist not found" in msg and "download disabled" in msg


def test_failed_download_is_one_line(empty_data_root, monkeypatch):
    import torchvision.datasets as tvd

    def offline(*args, **kwargs):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(tvd, "MNIST", offline)
    monkeypatch.setattr(tvd, "CIFAR10", offline)
    for name in ("mnist", "cifar10"):
        with pytest.raises(AssetError) as err:
            DATASETS.get(name)()
        assert "\n" not in str(err.value) and "download failed" in str(err.value)


def test_cifar10_binary_batches(tmp_path):
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    for i, name in enumerate([*image_files.CIFAR_BIN["train"], *image_files.CIFAR_BIN["test"]]):
        rows = np.zeros((3, 3073), np.uint8)
        rows[:, 0] = [i, (i + 1) % 10, (i + 2) % 10]
        rows[:, 1 : 1 + 1024] = 200  # red plane
        rows.tofile(folder / name)
    ds = DATASETS.get("cifar10")(root=str(tmp_path))
    assert ds.shape == (3, 32, 32) and len(ds) == 15 and len(ds.images_uint8("test")) == 3
    assert ds.labels("test").tolist() == [5, 6, 7]
    img = ds.images_uint8()[0]
    assert int(img[0].min()) == 200 and int(img[1:].max()) == 0


def test_truncated_idx_is_an_asset_error(tmp_path):
    fake_idx_folder(tmp_path, gz=False)
    p = tmp_path / "t10k-images-idx3-ubyte"
    p.write_bytes(p.read_bytes()[:-10])
    with pytest.raises(AssetError, match="truncated"):
        image_files.read_idx(p)


def test_digits_split_and_resolution():
    ds = DATASETS.get("digits")()
    assert ds.shape == (1, 8, 8) and ds.n_classes == 10
    n_train, n_test = len(ds.images_uint8("train")), len(ds.images_uint8("test"))
    assert n_train + n_test == 1797 and n_test == round(0.2 * 1797)
    assert int(ds.images_uint8().max()) == 255  # 0..16 scaled to 0..255
    big = DATASETS.get("digits")(resolution=28, split="test")
    assert big.shape == (1, 28, 28) and len(big) == n_test
    assert torch.equal(big.labels("test"), ds.labels("test"))


@pytest.mark.parametrize("name", IMAGE_SETS)
def test_every_image_set_meets_the_interface(name):
    try:
        ds = DATASETS.get(name)(download=False) if name != "digits" else DATASETS.get(name)()
    except AssetError as exc:
        pytest.skip(str(exc))
    assert ds.kind == "images" and len(ds.shape) == 3
    for split in ("train", "test"):
        imgs, labs = ds.images_uint8(split), ds.labels(split)
        assert imgs.dtype == torch.uint8 and imgs.shape[1:] == ds.shape
        assert labs.dtype == torch.int64 and labs.shape == (len(imgs),)
        assert int(labs.min()) >= 0 and int(labs.max()) < ds.n_classes
    x = ds.sample(7, torch.Generator().manual_seed(0))
    assert x.shape == (7, *ds.shape) and x.dtype == torch.float32


def test_bad_resolution_is_a_config_error():
    from ganbench.axes import ComponentSpec
    from ganbench.errors import ConfigError

    spec = ComponentSpec("digits", "digits", {"resolution": 2})
    with pytest.raises(ConfigError, match="resolution must be >= 4"):
        build_component(spec, DATASETS, "datasets")


def _png(path, color, size=(20, 12), mode="RGB"):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path)


def test_imagefolder_skips_broken_files_and_counts_them(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("GANBENCH_DATA", str(tmp_path / "cache"))
    root = tmp_path / "imgs"
    for i in range(6):
        _png(root / ("cats" if i % 2 else "dogs") / "deep" / f"{i}.png", (40 * i, 0, 0))
    _png(root / "cats" / "x.jpg", (0, 255, 0))
    (root / "dogs" / "broken.png").write_bytes(b"not a png at all")
    (root / "notes.txt").write_text("ignored: not an image extension")
    with caplog.at_level(logging.WARNING):
        ds = DATASETS.get("imagefolder")(root=str(root), resolution=16, test_fraction=0.25)
    assert ds.n_skipped == 1 and ds.skipped_files == ("dogs/broken.png",)
    assert "broken.png" in caplog.text
    total = len(ds.images_uint8("train")) + len(ds.images_uint8("test"))
    assert total == 7 and ds.shape == (3, 16, 16) and ds.n_classes is None
    with pytest.raises(ValueError, match="no labels"):
        ds.labels()


def test_imagefolder_labels_grey_and_cache(tmp_path, monkeypatch):
    from ganbench.datasets import imagefolder as imf

    monkeypatch.setenv("GANBENCH_DATA", str(tmp_path / "cache"))
    root = tmp_path / "imgs"
    for i in range(4):
        _png(root / ("a" if i < 2 else "b") / f"{i}.png", (255, 255, 255))
    kw = {"root": str(root), "resolution": 8, "channels": 1, "labels": True, "test_fraction": 0.0}
    ds = DATASETS.get("imagefolder")(**kw)
    assert ds.shape == (1, 8, 8) and ds.n_classes == 2 and ds.class_names == ("a", "b")
    assert ds.labels().tolist() == [0, 0, 1, 1] and int(ds.images_uint8().min()) == 255

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded again despite the cache")

    monkeypatch.setattr(imf, "decode_folder", no_decoding)
    again = DATASETS.get("imagefolder")(**kw)
    assert torch.equal(again.images_uint8(), ds.images_uint8())


def test_imagefolder_without_images_is_an_asset_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(AssetError, match="no readable images"):
        DATASETS.get("imagefolder")(root=str(tmp_path / "empty"), cache=False)
    with pytest.raises(AssetError, match="not a folder"):
        DATASETS.get("imagefolder")(root=str(tmp_path / "missing"))
