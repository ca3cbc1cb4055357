"""Readers of on-disk datasets, on small files of the exact formats,
written here byte by byte."""

import gzip
import os
import pickle
import struct

import numpy as np
import pytest
from PIL import Image

from cnnbook import data
from cnnbook.data import readers


def write_idx(path, array, gz=False):
    """The IDX format: 0, 0, type byte, ndim, big-endian int32 sizes,
    big-endian values."""
    codes = {
        np.dtype(np.uint8): 0x08,
        np.dtype(np.int32): 0x0C,
        np.dtype(np.float32): 0x0D,
    }
    header = bytes([0, 0, codes[array.dtype], array.ndim])
    header += struct.pack(f">{array.ndim}i", *array.shape)
    body = array.astype(array.dtype.newbyteorder(">")).tobytes()
    opener = gzip.open if gz else open
    with opener(path, "wb") as handle:
        handle.write(header + body)
    return path


@pytest.fixture
def mnist_folder(tmp_path, rng):
    images = rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5, 9, 2], dtype=np.uint8)
    folder = tmp_path / "MNIST" / "raw"
    folder.mkdir(parents=True)
    write_idx(folder / "train-images-idx3-ubyte.gz", images, gz=True)
    write_idx(folder / "train-labels-idx1-ubyte.gz", labels, gz=True)
    write_idx(folder / "t10k-images-idx3-ubyte", images[:2])
    write_idx(folder / "t10k-labels-idx1-ubyte", labels[:2])
    return tmp_path, images, labels


def test_read_idx_round_trips_every_dtype(tmp_path, rng):
    for dtype in (np.uint8, np.int32, np.float32):
        array = (rng.normal(size=(3, 4, 5)) * 50).astype(dtype)
        for gz in (False, True):
            path = write_idx(tmp_path / f"a{gz}", array, gz)
            back = data.read_idx(path)
            assert back.dtype == dtype and back.dtype.isnative
            np.testing.assert_array_equal(back, array)


def test_load_mnist_from_root_and_from_the_environment(
    mnist_folder, monkeypatch
):
    root, images, labels = mnist_folder
    x, y = data.load_mnist(root)
    assert x.shape == (7, 1, 28, 28) and x.dtype == np.float32
    np.testing.assert_allclose(x[:, 0] * 255, images, atol=1e-4)
    np.testing.assert_array_equal(y, labels)
    monkeypatch.setenv("CNNBOOK_DATA", str(root))
    x_test, y_test = data.load_mnist(split="test")
    assert x_test.shape == (2, 1, 28, 28)
    np.testing.assert_array_equal(y_test, labels[:2])


def test_mnist_errors_name_the_path_and_the_format(
    mnist_folder, tmp_path, monkeypatch
):
    monkeypatch.delenv("CNNBOOK_DATA", raising=False)
    with pytest.raises(ValueError, match="CNNBOOK_DATA"):
        data.load_mnist()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        data.load_mnist(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        data.load_mnist(empty)
    with pytest.raises(ValueError, match="split must be"):
        data.load_mnist(empty, split="validation")
    root = mnist_folder[0]
    labels = root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    raw = labels.read_bytes()
    labels.write_bytes(raw[:-1])  # truncated
    with pytest.raises(ValueError, match=r"t10k-labels.*truncated or corr"):
        data.load_mnist(root, split="test")
    labels.write_bytes(b"\x89PNG" + raw[4:])  # not IDX at all
    with pytest.raises(ValueError, match=r"t10k-labels.*IDX magic"):
        data.load_mnist(root, split="test")
    write_idx(labels, np.arange(3, dtype=np.uint8))  # 3 labels, 2 images
    with pytest.raises(ValueError, match="one label per image"):
        data.load_mnist(root, split="test")


def write_cifar_batch(path, images, labels):
    """As the CIFAR-10 python batches: a pickled dict with bytes keys,
    b'data' (N, 3072) uint8 (R plane, G plane, B plane) and b'labels'."""
    batch = {
        b"batch_label": b"testing batch",
        b"labels": list(labels),
        b"data": images.reshape(len(images), -1),
        b"filenames": [b"x.png"] * len(images),
    }
    with open(path, "wb") as handle:
        pickle.dump(batch, handle, protocol=2)


@pytest.fixture
def cifar_folder(tmp_path, rng):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    batches = []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        images = rng.integers(0, 256, size=(2, 3, 32, 32), dtype=np.uint8)
        labels = rng.integers(0, 10, size=2)
        write_cifar_batch(folder / name, images, labels)
        batches.append((images, labels))
    return tmp_path, batches


def test_load_cifar10_is_nchw_in_file_order(cifar_folder):
    root, batches = cifar_folder
    x, y = data.load_cifar10(root)
    assert x.shape == (10, 3, 32, 32) and x.dtype == np.float32
    expected = np.concatenate([b[0] for b in batches[:5]])
    np.testing.assert_allclose(x * 255, expected, atol=1e-4)
    # the first 1,024 bytes of a row are the red plane
    assert x[0, 0, 0, 1] * 255 == pytest.approx(
        batches[0][0].reshape(2, -1)[0, 1], abs=1e-4
    )
    np.testing.assert_array_equal(
        y, np.concatenate([b[1] for b in batches[:5]])
    )
    x_test, _ = data.load_cifar10(root, split="test")
    assert x_test.shape == (2, 3, 32, 32)
    assert len(data.CIFAR10_CLASSES) == 10


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_cifar10_refuses_bad_files(cifar_folder):
    root, _ = cifar_folder
    folder = root / "cifar-10-batches-py"
    (folder / "data_batch_3").unlink()
    with pytest.raises(FileNotFoundError, match="data_batch_3"):
        data.load_cifar10(root)
    with open(folder / "data_batch_3", "wb") as handle:
        pickle.dump({b"data": _Exploit()}, handle)
    with pytest.raises(ValueError, match=r"data_batch_3.*refusing.*system"):
        data.load_cifar10(root)
    write_cifar_batch(
        folder / "data_batch_3", np.zeros((2, 3, 16, 16), np.uint8), [0, 1]
    )
    with pytest.raises(ValueError, match=r"data_batch_3.*\(N, 3072\)"):
        data.load_cifar10(root)
    (folder / "data_batch_3").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="CIFAR-10 python batch"):
        data.load_cifar10(root)


@pytest.fixture
def image_tree(tmp_path, rng):
    root = tmp_path / "pets"
    for name, count in (("dog", 2), ("cat", 3)):
        (root / name).mkdir(parents=True)
        for i in range(count):
            pixels = rng.integers(0, 256, size=(6, 5, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    (root / "cat" / "notes.txt").write_text("not an image")
    return root


def test_image_folder_classes_sorted_and_pixels_exact(image_tree):
    x, y, classes = data.load_image_folder(image_tree)
    assert classes == ["cat", "dog"]
    assert x.shape == (5, 3, 6, 5)
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1])
    first = np.asarray(Image.open(image_tree / "cat" / "0.png"))
    np.testing.assert_allclose(x[0].transpose(1, 2, 0) * 255, first, atol=1e-4)
    gray, _, _ = data.load_image_folder(image_tree, size=(4, 8), gray=True)
    assert gray.shape == (5, 1, 4, 8)


def test_image_folder_relative_to_the_environment(image_tree, monkeypatch):
    monkeypatch.setenv("CNNBOOK_DATA", str(image_tree.parent))
    _, y, _ = data.load_image_folder("pets")
    assert len(y) == 5


def test_image_folder_errors(image_tree, tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        data.load_image_folder(tmp_path / "missing")
    flat = tmp_path / "flat"
    flat.mkdir()
    with pytest.raises(ValueError, match="no sub-folders"):
        data.load_image_folder(flat)
    (image_tree / "bird").mkdir()
    with pytest.raises(ValueError, match=r"bird holds no images"):
        data.load_image_folder(image_tree)
    (image_tree / "bird" / "0.png").write_bytes(b"\x89PNG broken")
    with pytest.raises(ValueError, match=r"bird/0.png is not a readable"):
        data.load_image_folder(image_tree)
    Image.fromarray(np.zeros((9, 9, 3), np.uint8)).save(
        image_tree / "bird" / "0.png"
    )
    with pytest.raises(ValueError, match="different sizes"):
        data.load_image_folder(image_tree)
    assert data.load_image_folder(image_tree, size=7)[0].shape[2:] == (7, 7)
    with pytest.raises(TypeError, match="root must be a path"):
        data.load_image_folder(3)


def test_data_root_checks(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNBOOK_DATA", str(tmp_path))
    assert readers.data_root() == tmp_path
    with pytest.raises(TypeError, match="root must be a path"):
        readers.data_root(12)
