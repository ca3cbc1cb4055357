"""Sweep of cnnbook.data: the readers (bad files named, labels checked),
the split and the datasets."""

import gzip
import io
import pickle
import struct

import numpy as np
import pytest
import torch
from _cases import case, check
from PIL import Image

from cnnbook import data

pytestmark = pytest.mark.sweep
SWEEP_MODULE = "data.readers"
RD, SP, DS = "data.readers", "data.split", "data.datasets"


def idx_bytes(type_code, shape, payload=b""):
    return (
        bytes([0, 0, type_code, len(shape)])
        + struct.pack(f">{len(shape)}i", *shape)
        + payload
    )


def write_mnist(folder, labels: bytes, label_type=0x08):
    """MNIST files of three 2x2 images and the given label bytes."""
    folder.mkdir(exist_ok=True)
    (folder / "train-images-idx3-ubyte").write_bytes(
        idx_bytes(0x08, (3, 2, 2), bytes(12))
    )
    count = (
        len(labels)
        // np.dtype({0x08: "u1", 0x09: "i1", 0x0D: ">f4"}[label_type]).itemsize
    )
    (folder / "train-labels-idx1-ubyte").write_bytes(
        idx_bytes(label_type, (count,), labels)
    )


def write_cifar_test_batch(folder, labels, data_rows=None):
    folder.mkdir(exist_ok=True)
    rows = len(labels) if data_rows is None else data_rows
    with (folder / "test_batch").open("wb") as handle:
        pickle.dump(
            {b"data": np.zeros((rows, 3072), np.uint8), b"labels": labels},
            handle,
        )


def png_bytes(color=(200, 10, 10)):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(buffer, "PNG")
    return bytearray(buffer.getvalue())


def damaged_pngs():
    raw = png_bytes()
    chunk = bytes(raw[:33]) + b"\x00" * 4 + bytes(raw[37:])  # IDAT header
    crc = bytearray(raw)
    crc[29] ^= 0xFF  # the IHDR chunk's checksum
    data_bits = bytearray(raw)
    data_bits[-20] ^= 0xFF  # inside the compressed pixels
    return {
        "truncated header": bytes(raw[:20]),
        "truncated chunk": bytes(raw[:40]),
        "broken chunk": chunk,
        "bad checksum": bytes(crc),
        "bad pixel stream": bytes(data_bits),
        "empty file": b"",
    }


def class_without_images(folder):
    (folder / "cat").mkdir()
    (folder / "cat" / "notes.txt").write_text("not an image")


def images_of_two_sizes(folder):
    (folder / "a").mkdir()
    Image.new("L", (4, 4)).save(folder / "a" / "1.png")
    Image.new("L", (5, 4)).save(folder / "a" / "2.png")


@pytest.fixture
def folder(tmp_path):
    return tmp_path


@pytest.mark.parametrize("what", sorted(damaged_pngs()))
def test_a_damaged_png_in_an_image_folder_is_named(folder, what):
    (folder / "cat").mkdir()
    (folder / "dog").mkdir()
    Image.new("RGB", (4, 4)).save(folder / "cat" / "a.png")
    bad = folder / "dog" / "b.png"
    bad.write_bytes(damaged_pngs()[what])
    with pytest.raises(ValueError) as info:
        data.load_image_folder(folder)
    assert type(info.value) is ValueError
    assert f"load_image_folder: {bad} is not a readable image" in str(
        info.value
    )


FILE_CASES = {
    # name: (writer(folder) -> None, call(folder), error, fragments)
    "load_mnist negative labels": (
        lambda d: write_mnist(d / "mnist", bytes([1, 0xFF, 2]), 0x09),
        lambda d: data.load_mnist(d),
        ValueError,
        (
            "load_mnist:",
            "train-labels-idx1-ubyte holds MNIST labels of values -1..2",
            "expected integers 0-9",
        ),
    ),
    "load_mnist float labels": (
        lambda d: write_mnist(
            d / "mnist", struct.pack(">3f", 1.5, 2, 3.7), 0x0D
        ),
        lambda d: data.load_mnist(d),
        ValueError,
        (
            "train-labels-idx1-ubyte holds MNIST labels of dtype float32",
            "expected integers 0-9",
        ),
    ),
    "load_mnist label 10": (
        lambda d: write_mnist(d / "mnist", bytes([1, 10, 2])),
        lambda d: data.load_mnist(d),
        ValueError,
        ("train-labels-idx1-ubyte", "values 1..10", "integers 0-9"),
    ),
    "load_mnist fewer labels than images": (
        lambda d: write_mnist(d / "mnist", bytes([1, 2])),
        lambda d: data.load_mnist(d),
        ValueError,
        (
            "train-labels-idx1-ubyte holds shape (2,)",
            "one label per image (3,)",
        ),
    ),
    "load_mnist no label file": (
        lambda d: (d / "train-images-idx3-ubyte").write_bytes(
            idx_bytes(0x08, (1, 2, 2), bytes(4))
        ),
        lambda d: data.load_mnist(d),
        FileNotFoundError,
        (
            "load_mnist: MNIST train labels (IDX) not found",
            "train-labels-idx1-ubyte",
        ),
    ),
    "load_mnist unknown split": (
        lambda d: None,
        lambda d: data.load_mnist(d, "val"),
        ValueError,
        ("load_mnist: split", "'train' or 'test'"),
    ),
    "read_idx header sizes overflowing int64": (
        lambda d: (d / "big.idx").write_bytes(idx_bytes(0x08, (65536,) * 4)),
        lambda d: data.read_idx(d / "big.idx"),
        ValueError,
        (
            "big.idx holds 0 bytes of data",
            "shape (65536, 65536, 65536, 65536)",
            "truncated or corrupt",
        ),
    ),
    "read_idx negative size": (
        lambda d: (d / "neg.idx").write_bytes(idx_bytes(0x08, (-1, 3))),
        lambda d: data.read_idx(d / "neg.idx"),
        ValueError,
        ("neg.idx has negative sizes (-1, 3)", "the file is corrupt"),
    ),
    "read_idx unknown type byte": (
        lambda d: (d / "t.idx").write_bytes(b"\x00\x00\x07\x01"),
        lambda d: data.read_idx(d / "t.idx"),
        ValueError,
        ("t.idx does not start with an IDX magic number", "type byte"),
    ),
    "read_idx truncated header": (
        lambda d: (d / "h.idx").write_bytes(b"\x00\x00\x08\x03\x00"),
        lambda d: data.read_idx(d / "h.idx"),
        ValueError,
        ("h.idx is truncated in its header", "big-endian int32 sizes"),
    ),
    "read_idx missing data": (
        lambda d: (d / "m.idx").write_bytes(idx_bytes(0x08, (2, 2), b"x")),
        lambda d: data.read_idx(d / "m.idx"),
        ValueError,
        ("m.idx holds 1 bytes of data", "shape (2, 2) of uint8"),
    ),
    "read_idx broken gzip": (
        lambda d: (d / "g.idx.gz").write_bytes(
            gzip.compress(idx_bytes(0x08, (4,), bytes(4)))[:-6]
        ),
        lambda d: data.read_idx(d / "g.idx.gz"),
        ValueError,
        ("g.idx.gz is not a readable IDX", "big-endian int32 sizes"),
    ),
    "read_idx of a folder": (
        lambda d: None,
        lambda d: data.read_idx(d),
        FileNotFoundError,
        ("read_idx:", "not a file (expected an IDX"),
    ),
    "load_cifar10 float labels": (
        lambda d: write_cifar_test_batch(d, [1.5, 2.7]),
        lambda d: data.load_cifar10(d, "test"),
        ValueError,
        (
            "load_cifar10:",
            "test_batch holds CIFAR-10 labels of dtype float64",
            "expected integers 0-9",
        ),
    ),
    "load_cifar10 negative labels": (
        lambda d: write_cifar_test_batch(d, [1, -3]),
        lambda d: data.load_cifar10(d, "test"),
        ValueError,
        (
            "test_batch holds CIFAR-10 labels of values -3..1",
            "expected integers 0-9",
        ),
    ),
    "load_cifar10 labels as strings": (
        lambda d: write_cifar_test_batch(d, ["cat", "dog"]),
        lambda d: data.load_cifar10(d, "test"),
        ValueError,
        (
            "test_batch holds CIFAR-10 labels of dtype <U3",
            "expected integers 0-9",
        ),
    ),
    "load_cifar10 boolean labels": (
        lambda d: write_cifar_test_batch(d, [True, False]),
        lambda d: data.load_cifar10(d, "test"),
        ValueError,
        ("CIFAR-10 labels of dtype bool", "expected integers 0-9"),
    ),
    "load_cifar10 fewer rows than labels": (
        lambda d: write_cifar_test_batch(d, [1, 2, 3], data_rows=2),
        lambda d: data.load_cifar10(d, "test"),
        ValueError,
        ("test_batch is not a CIFAR-10 python batch", "b'labels'"),
    ),
    "load_cifar10 a pickle of code": (
        lambda d: (d / "test_batch").write_bytes(pickle.dumps(print)),
        lambda d: data.load_cifar10(d, "test"),
        ValueError,
        (
            "test_batch could not be read as a CIFAR-10 python batch",
            "refusing to load builtins.print",
        ),
    ),
    "load_cifar10 missing batch": (
        lambda d: None,
        lambda d: data.load_cifar10(d, "test"),
        FileNotFoundError,
        ("test_batch does not exist", "CIFAR-10 python batch"),
    ),
    "load_image_folder a class without images": (
        class_without_images,
        lambda d: data.load_image_folder(d),
        ValueError,
        ("load_image_folder: class folder", "cat holds no images", ".png"),
    ),
    "load_image_folder no class folders": (
        lambda d: None,
        lambda d: data.load_image_folder(d),
        ValueError,
        ("has no sub-folders", "one sub-folder of images per class"),
    ),
    "load_image_folder images of two sizes": (
        images_of_two_sizes,
        lambda d: data.load_image_folder(d),
        ValueError,
        ("load_image_folder: images in", "pass size=(height, width)"),
    ),
    "load_image_folder of a file": (
        lambda d: (d / "f.png").write_bytes(b"x"),
        lambda d: data.load_image_folder(d / "f.png"),
        FileNotFoundError,
        (
            "load_image_folder:",
            "f.png is not a folder",
            "one sub-folder of images per class",
        ),
    ),
    "load_image_folder size as string": (
        lambda d: None,
        lambda d: data.load_image_folder(d, size="4"),
        TypeError,
        ("load_image_folder: size", "must be an int"),
    ),
    "data_root of a missing folder": (
        lambda d: None,
        lambda d: data.data_root(d / "nope"),
        FileNotFoundError,
        ("data_root: data folder", "nope does not exist"),
    ),
}


@pytest.mark.parametrize("name", list(FILE_CASES))
def test_bad_files_are_named(folder, name):
    write, call, error, fragments = FILE_CASES[name]
    write(folder)
    check(case(RD, name, lambda: call(folder), error, *fragments).values[0])


def images(n=4):
    return np.zeros((n, 1, 8, 8), np.float32)


def dataset():
    return data.ImageDataset(images(), [0, 1, 0, 1])


ERRORS = [
    case(
        RD,
        "read_idx of None",
        lambda: data.read_idx(None),
        TypeError,
        "read_idx: path",
        "str or pathlib.Path",
    ),
    case(
        RD,
        "data_root of an int",
        lambda: data.data_root(5),
        TypeError,
        "data_root: root",
        "must be a path",
    ),
    case(
        RD,
        "load_image_folder of None",
        lambda: data.load_image_folder(None),
        TypeError,
        "load_image_folder: root",
        "must be a path",
    ),
    case(
        RD,
        "photograph unknown name",
        lambda: data.photograph("dog"),
        ValueError,
        "photograph: unknown name 'dog'",
        "camera",
    ),
    # split
    case(
        SP,
        "split_counts negative total",
        lambda: data.split_counts(-5, (0.5, 0.5)),
        ValueError,
        "split_counts: n",
        ">= 0",
    ),
    case(
        SP,
        "split_counts fractions over 1",
        lambda: data.split_counts(10, (0.7, 0.7)),
        ValueError,
        "split_counts: fractions",
        "summing to 1",
    ),
    case(
        SP,
        "split_counts fractions under 1",
        lambda: data.split_counts(10, (0.2, 0.2)),
        ValueError,
        "split_counts: fractions",
        "summing to 1",
    ),
    case(
        SP,
        "split_counts a fraction above 1",
        lambda: data.split_counts(10, (1.5, -0.5)),
        ValueError,
        "split_counts: fractions[0]",
        "<= 1",
    ),
    case(
        SP,
        "split_counts float total",
        lambda: data.split_counts(10.5, (0.5, 0.5)),
        TypeError,
        "split_counts: n",
        "must be an int",
    ),
    case(
        SP,
        "split_counts one part",
        lambda: data.split_counts(10, (1.0,)),
        ValueError,
        "split_counts: fractions",
        "two or more numbers",
    ),
    case(
        SP,
        "stratified_split a class of one example",
        lambda: data.stratified_split([0] * 10 + [1]),
        ValueError,
        "stratified_split: class 1 has 1 example(s)",
        "parts [1, 2] would get none of it",
    ),
    case(
        SP,
        "stratified_split a class of two examples",
        lambda: data.stratified_split([0] * 10 + [1, 1]),
        ValueError,
        "stratified_split: class 1 has 2 example(s)",
        "every class needs an example in every part",
    ),
    case(
        SP,
        "stratified_split fractions None",
        lambda: data.stratified_split([0, 1], None),
        TypeError,
        "stratified_split: fractions",
        "iterable) of numbers",
    ),
    case(
        SP,
        "stratified_split float labels",
        lambda: data.stratified_split([0.5, 1.0]),
        TypeError,
        "stratified_split: labels",
        "must be integers",
    ),
    case(
        SP,
        "stratified_split negative label",
        lambda: data.stratified_split([0, -1]),
        ValueError,
        "stratified_split: labels",
        ">= 0",
    ),
    case(
        SP,
        "stratified_split negative seed",
        lambda: data.stratified_split([0] * 10, seed=-1),
        ValueError,
        "stratified_split: seed",
        ">= 0",
    ),
    case(
        SP,
        "class_counts label beyond num_classes",
        lambda: data.class_counts([0, 3], 2),
        ValueError,
        "class_counts: label 3",
        "num_classes=2",
    ),
    case(
        SP,
        "class_counts 2-d labels",
        lambda: data.class_counts([[0, 1]]),
        ValueError,
        "class_counts: labels",
        "one-dimensional",
    ),
    # datasets
    case(
        DS,
        "ImageDataset float labels in a list",
        lambda: data.ImageDataset(images(), [0.5, 1.7, 0.2, 1.0]),
        TypeError,
        "ImageDataset: labels",
        "must be integers",
    ),
    case(
        DS,
        "ImageDataset float label tensor",
        lambda: data.ImageDataset(images(), torch.tensor([0.0, 1, 0, 1])),
        TypeError,
        "ImageDataset: labels",
        "integers (class indices)",
    ),
    case(
        DS,
        "ImageDataset boolean labels",
        lambda: data.ImageDataset(images(), torch.tensor([True] * 4)),
        TypeError,
        "ImageDataset: labels",
        "torch.bool",
    ),
    case(
        DS,
        "ImageDataset negative label",
        lambda: data.ImageDataset(images(), [0, -1, 0, 1]),
        ValueError,
        "ImageDataset: labels",
        ">= 0",
    ),
    case(
        DS,
        "ImageDataset num_classes 0",
        lambda: data.ImageDataset(images(), [0] * 4, num_classes=0),
        ValueError,
        "ImageDataset: num_classes",
        ">= 1",
    ),
    case(
        DS,
        "ImageDataset float num_classes",
        lambda: data.ImageDataset(images(), [0] * 4, num_classes=2.5),
        TypeError,
        "ImageDataset: num_classes",
        "must be an int",
    ),
    case(
        DS,
        "ImageDataset classes as one string",
        lambda: data.ImageDataset(images(), [0, 1, 0, 1], classes="ab"),
        TypeError,
        "ImageDataset: classes",
        "list of class names",
    ),
    case(
        DS,
        "ImageDataset images as a list",
        lambda: data.ImageDataset([[1.0]], [0]),
        TypeError,
        "ImageDataset: images",
        "numpy array or a torch.Tensor",
    ),
    case(
        DS,
        "ImageDataset 3-d images",
        lambda: data.ImageDataset(np.zeros((4, 8, 8)), [0] * 4),
        ValueError,
        "ImageDataset: images",
        "(N, C, H, W)",
    ),
    case(
        DS,
        "ImageDataset transform not callable",
        lambda: data.ImageDataset(images(), [0] * 4, transform=3),
        TypeError,
        "ImageDataset: transform",
        "callable",
    ),
    case(
        DS,
        "ImageDataset indexed by floats",
        lambda: dataset()[[0.5, 1.7]],
        TypeError,
        "ImageDataset: index",
        "must be integers",
    ),
    case(
        DS,
        "ImageDataset indexed past the end",
        lambda: dataset()[[0, 9]],
        ValueError,
        "ImageDataset: index holds 9",
        "out of range for 4 items",
    ),
    case(
        DS,
        "subset by floats",
        lambda: dataset().subset([0.5, 2.7]),
        TypeError,
        "ImageDataset.subset: indices",
        "must be integers",
    ),
    case(
        DS,
        "subset past the end",
        lambda: dataset().subset([10]),
        ValueError,
        "ImageDataset.subset: indices holds 10",
        "expected -4 .. 3",
    ),
    case(
        DS,
        "subset of nothing",
        lambda: dataset().subset([]),
        ValueError,
        "ImageDataset.subset: indices is empty",
        "at least one image",
    ),
]


@pytest.mark.parametrize("c", ERRORS)
def test_bad_input_is_refused_by_name(c):
    check(c)
