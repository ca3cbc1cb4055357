"""Readers for datasets a reader keeps on disk (nothing downloads).

Three standard formats, each read into numpy arrays shaped like the rest
of the book (images ``(N, C, H, W)`` float32 in [0, 1], labels int64):

- MNIST's IDX files (``train-images-idx3-ubyte`` and friends, optionally
  gzipped), as distributed by LeCun et al. and mirrored everywhere;
- the CIFAR-10 "python version" batches (``cifar-10-batches-py/``);
- an image-folder tree, one sub-folder per class (``root/cat/001.png``).

Where the files live: pass ``root``, or set the environment variable
``CNNBOOK_DATA`` to a folder that holds them (directly or in a sub-folder
named after the dataset). A missing or corrupt file raises an error that
names the path and the format that was expected.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import pickle
import struct
from pathlib import Path

import numpy as np

from .._validation import check_path

__all__ = [
    "CIFAR10_CLASSES",
    "IMAGE_SUFFIXES",
    "data_root",
    "load_cifar10",
    "load_image_folder",
    "load_mnist",
    "read_idx",
]

ENV_VAR = "CNNBOOK_DATA"

# IDX type codes (third byte of the magic number) -> big-endian dtype.
_IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_IDX_FORMAT = (
    "IDX (magic 0x0000 + type byte + number of dimensions, "
    "then big-endian int32 sizes and the data)"
)


def data_root(
    root: str | os.PathLike | None = None, func: str = "data_root"
) -> Path:
    """The folder datasets are read from: ``root``, else ``$CNNBOOK_DATA``.

    Raises ``ValueError`` if neither is given and ``FileNotFoundError`` if
    the folder does not exist.
    """
    if root is None:
        root = os.environ.get(ENV_VAR)
        if not root:
            raise ValueError(
                f"{func}: no data folder; pass root=... or set the "
                f"{ENV_VAR} environment variable to the folder that holds "
                "the dataset"
            )
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(
            f"{func}: root must be a path, got {type(root).__name__}"
        )
    path = Path(root).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(f"{func}: data folder {path} does not exist")
    return path


def _open_maybe_gzip(path: Path):
    with path.open("rb") as handle:
        head = handle.read(2)
    return gzip.open(path, "rb") if head == b"\x1f\x8b" else path.open("rb")


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (the format of MNIST), gzipped or not.

    The format: two zero bytes, a type byte (0x08 = uint8, ...), a byte
    giving the number of dimensions ``d``, then ``d`` big-endian int32
    sizes, then the values in C order, big-endian.

    Returns
    -------
    ndarray with the file's shape and native-endian dtype.
    """
    path = check_path(path, "path", "read_idx")
    if not path.is_file():
        raise FileNotFoundError(
            f"read_idx: {path} does not exist or is not a file (expected "
            f"an {_IDX_FORMAT} file)"
        )
    try:
        with _open_maybe_gzip(path) as handle:
            raw = handle.read()
    except (OSError, EOFError) as err:
        raise ValueError(
            f"read_idx: {path} is not a readable {_IDX_FORMAT} file ({err})"
        ) from err
    if (
        len(raw) < 4
        or raw[0] != 0
        or raw[1] != 0
        or raw[2] not in (_IDX_TYPES)
    ):
        raise ValueError(
            f"read_idx: {path} does not start with an IDX magic number "
            f"(expected {_IDX_FORMAT}); got {raw[:4].hex() or 'nothing'}"
        )
    dtype, ndim = _IDX_TYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(
            f"read_idx: {path} is truncated in its header ({len(raw)} "
            f"bytes; expected {_IDX_FORMAT})"
        )
    shape = struct.unpack(f">{ndim}i", raw[4:header])
    if any(size < 0 for size in shape):
        raise ValueError(
            f"read_idx: {path} has negative sizes {shape} in its header "
            f"(expected {_IDX_FORMAT}); the file is corrupt"
        )
    # math.prod of Python ints cannot overflow (numpy's int64 product
    # wraps around, and a header of huge sizes could promise 0 bytes)
    count = math.prod(shape)
    if len(raw) - header != count * dtype.itemsize:
        raise ValueError(
            f"read_idx: {path} holds {len(raw) - header} bytes of data but "
            f"its header promises shape {shape} of {dtype.name} "
            f"({count * dtype.itemsize} bytes); the file is truncated or "
            "corrupt"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _find(folder: Path, names: list[str], what: str, func: str) -> Path:
    for name in names:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(
        f"{func}: {what} not found in {folder}: looked for {', '.join(names)}"
    )


def _dataset_folder(
    root: Path, subfolders: tuple[str, ...], marker: str
) -> Path:
    for sub in ("", *subfolders):
        folder = root / sub if sub else root
        if any(folder.glob(marker + "*")):
            return folder
    return root


def load_mnist(
    root: str | os.PathLike | None = None, split: str = "train"
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST (or Fashion-MNIST) from its IDX files.

    Parameters
    ----------
    root : path, optional
        Folder holding ``train-images-idx3-ubyte`` etc. (each may end in
        ``.gz``), directly or in ``mnist/``, ``MNIST/raw/``. Default:
        ``$CNNBOOK_DATA``.
    split : {"train", "test"}
        60,000 training or 10,000 test images in the full dataset.

    Returns
    -------
    images : float32, shape (N, 1, 28, 28), values ``pixel / 255``
    labels : int64, shape (N,)
    """
    func = "load_mnist"
    if split not in _MNIST_FILES:
        raise ValueError(
            f"{func}: split must be 'train' or 'test', got {split!r}"
        )
    root = data_root(root, func)
    folder = _dataset_folder(
        root, ("mnist", "MNIST/raw", "MNIST"), _MNIST_FILES[split][0]
    )
    image_name, label_name = _MNIST_FILES[split]
    image_path = _find(
        folder,
        [image_name, image_name + ".gz"],
        f"MNIST {split} images (IDX)",
        func,
    )
    label_path = _find(
        folder,
        [label_name, label_name + ".gz"],
        f"MNIST {split} labels (IDX)",
        func,
    )
    images, labels = read_idx(image_path), read_idx(label_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{func}: {image_path} holds {images.dtype} of shape "
            f"{images.shape}; expected uint8 images of shape (N, H, W)"
        )
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(
            f"{func}: {label_path} holds shape {labels.shape}; expected "
            f"one label per image ({len(images)},)"
        )
    labels = _file_labels(labels, label_path, "MNIST labels", func)
    images = (images.astype(np.float32) / 255.0)[:, None]
    return images, labels


def _file_labels(labels, path: Path, what: str, func: str) -> np.ndarray:
    """Labels read from ``path`` as int64, if they are integers 0-9.

    Any other value means the file is not what it claims to be: a float
    would be truncated to a class, a negative one would index from the
    end of a table.
    """
    array = np.asarray(labels)
    if (
        array.dtype.kind not in "iu"
        or array.ndim != 1
        or (array.size and (array.min() < 0 or array.max() > 9))
    ):
        found = (
            f"dtype {array.dtype}"
            if array.dtype.kind not in "iu"
            else f"values {array.min()}..{array.max()}"
            if array.ndim == 1
            else f"shape {array.shape}"
        )
        raise ValueError(
            f"{func}: {path} holds {what} of {found}; expected integers "
            "0-9, one per image"
        )
    return array.astype(np.int64)


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickles plain containers and numpy arrays, nothing else.

    The CIFAR-10 batches are pickles; a pickle can run arbitrary code when
    loaded, so only the few numpy functions that rebuild arrays are
    allowed.
    """

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        # protocol-2 pickles written by Python 3 store bytes this way
        ("_codecs", "encode"),
    }

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"refusing to load {module}.{name} (only numpy arrays are "
            "expected)"
        )


def _cifar_batch(path: Path, func: str):
    expected = (
        "a CIFAR-10 python batch: a pickled dict with b'data' "
        "(N, 3072) uint8 and b'labels' (N ints 0-9)"
    )
    if not path.is_file():
        raise FileNotFoundError(f"{func}: {path} does not exist ({expected})")
    try:
        with path.open("rb") as handle:
            batch = _NumpyOnlyUnpickler(
                io.BytesIO(handle.read()), encoding="bytes"
            ).load()
    except Exception as err:
        raise ValueError(
            f"{func}: {path} could not be read as {expected} ({err})"
        ) from err
    if not isinstance(batch, dict):
        raise ValueError(f"{func}: {path} is not {expected}")
    data = batch.get(b"data", batch.get("data"))
    labels = batch.get(b"labels", batch.get("labels"))
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.uint8
        or data.ndim != 2
        or data.shape[1] != 3072
        or labels is None
        or len(labels) != len(data)
    ):
        raise ValueError(f"{func}: {path} is not {expected}")
    return data, _file_labels(labels, path, "CIFAR-10 labels", func)


CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)


def load_cifar10(
    root: str | os.PathLike | None = None, split: str = "train"
) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10 from the "python version" batches.

    Parameters
    ----------
    root : path, optional
        Folder holding ``data_batch_1`` ... ``data_batch_5`` and
        ``test_batch``, directly or in ``cifar-10-batches-py/``. Default:
        ``$CNNBOOK_DATA``.
    split : {"train", "test"}
        The five training batches (50,000 images) or the test batch
        (10,000).

    Returns
    -------
    images : float32, shape (N, 3, 32, 32), values ``pixel / 255``
    labels : int64, shape (N,); names in :data:`CIFAR10_CLASSES`

    Each row of a batch's ``data`` holds 1,024 red, then 1,024 green,
    then 1,024 blue values, each plane in row-major order: reshaping to
    ``(N, 3, 32, 32)`` is exactly NCHW.
    """
    func = "load_cifar10"
    names = {
        "train": [f"data_batch_{i}" for i in range(1, 6)],
        "test": ["test_batch"],
    }
    if split not in names:
        raise ValueError(
            f"{func}: split must be 'train' or 'test', got {split!r}"
        )
    root = data_root(root, func)
    folder = _dataset_folder(
        root, ("cifar-10-batches-py", "cifar10"), names[split][0]
    )
    parts = [_cifar_batch(folder / name, func) for name in names[split]]
    data = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    images = data.reshape(-1, 3, 32, 32).astype(np.float32) / 255.0
    return images, labels


IMAGE_SUFFIXES = (
    ".png",
    ".jpg",
    ".jpeg",
    ".bmp",
    ".gif",
    ".tif",
    ".tiff",
    ".webp",
)


def load_image_folder(
    root: str | os.PathLike,
    size: int | tuple[int, int] | None = None,
    gray: bool = False,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Images sorted into one sub-folder per class.

    ``root/cat/1.png, root/cat/2.jpg, root/dog/x.png`` gives classes
    ``["cat", "dog"]`` (sorted by name) and labels 0, 0, 1.

    Parameters
    ----------
    root : path
        The folder whose sub-folders are the classes (relative paths are
        taken from ``$CNNBOOK_DATA`` when it is set and ``root`` does not
        exist as given).
    size : int or (height, width), optional
        Resize every image to this size (bilinear). Without it all images
        must have the same size.
    gray : bool
        Convert to one channel (``L`` mode, ITU-R 601 luma); else RGB.

    Returns
    -------
    images : float32, shape (N, C, H, W), values in [0, 1]
    labels : int64, shape (N,)
    classes : list of str, the sub-folder names; ``classes[label]``
    """
    func = "load_image_folder"
    from PIL import Image

    from .._validation import check_pair

    path = (
        Path(root).expanduser()
        if isinstance(root, (str, os.PathLike))
        else None
    )
    if path is None:
        raise TypeError(
            f"{func}: root must be a path, got {type(root).__name__}"
        )
    if (
        not path.is_dir()
        and not path.is_absolute()
        and os.environ.get(ENV_VAR)
    ):
        path = data_root(None, func) / path
    if not path.is_dir():
        raise FileNotFoundError(
            f"{func}: {path} is not a folder (expected one sub-folder of "
            "images per class)"
        )
    hw = None if size is None else check_pair(size, "size", func, minimum=1)
    classes = sorted(
        p.name
        for p in path.iterdir()
        if p.is_dir() and not p.name.startswith(".")
    )
    if not classes:
        raise ValueError(
            f"{func}: {path} has no sub-folders; expected one sub-folder "
            "of images per class"
        )
    arrays, labels = [], []
    for label, name in enumerate(classes):
        files = sorted(
            f
            for f in (path / name).iterdir()
            if f.suffix.lower() in IMAGE_SUFFIXES
        )
        if not files:
            raise ValueError(
                f"{func}: class folder {path / name} holds no images "
                f"(expected files ending in {', '.join(IMAGE_SUFFIXES)})"
            )
        for file in files:
            try:
                with Image.open(file) as image:
                    image = image.convert("L" if gray else "RGB")
                    if hw is not None:
                        image = image.resize(
                            (hw[1], hw[0]), Image.Resampling.BILINEAR
                        )
                    array = np.asarray(image, dtype=np.float32) / 255.0
            except Exception as err:
                # Pillow reports a damaged file with many exception types
                # (OSError, SyntaxError for a broken PNG chunk, ValueError,
                # zlib.error, ...): whichever it is, name the file.
                raise ValueError(
                    f"{func}: {file} is not a readable image "
                    f"({type(err).__name__}: {err})"
                ) from err
            arrays.append(array[None] if gray else array.transpose(2, 0, 1))
            labels.append(label)
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise ValueError(
            f"{func}: images in {path} have different sizes "
            f"{sorted(shapes)[:3]}...; pass size=(height, width) to "
            "resize them"
        )
    return np.stack(arrays), np.array(labels, dtype=np.int64), classes
