"""Sweep of cnnbook.data.transforms: bad parameters and inputs refused by
name; an empty batch passes through."""

import numpy as np
import pytest
import torch
from _cases import case, check

from cnnbook.data import transforms as T

pytestmark = pytest.mark.sweep
SWEEP_MODULE = "data.transforms"
TR = "data.transforms"

ERRORS = [
    case(
        TR,
        "RandomAffine translate as one number",
        lambda: T.RandomAffine(translate=0.1),
        ValueError,
        "RandomAffine: translate",
        "must be a pair",
    ),
    case(
        TR,
        "RandomAffine translate of three",
        lambda: T.RandomAffine(translate=(0.1, 0.1, 0.1)),
        ValueError,
        "RandomAffine: translate",
        "must be a pair",
    ),
    case(
        TR,
        "RandomAffine translate above 1",
        lambda: T.RandomAffine(translate=(0.1, 2)),
        ValueError,
        "RandomAffine: translate[1]",
        "<= 1",
    ),
    case(
        TR,
        "RandomAffine negative scale",
        lambda: T.RandomAffine(scale=(-1, 2)),
        ValueError,
        "RandomAffine: scale[0]",
        ">= 0.001",
    ),
    case(
        TR,
        "RandomAffine degrees as string",
        lambda: T.RandomAffine(degrees="10"),
        TypeError,
        "RandomAffine: degrees",
        "real number",
    ),
    case(
        TR,
        "RandomRotation degrees low above high",
        lambda: T.RandomRotation((10, -10)),
        ValueError,
        "RandomRotation: degrees",
        "low <= high",
    ),
    case(
        TR,
        "Compose of None",
        lambda: T.Compose(None),
        TypeError,
        "Compose: transforms",
        "(callables)",
    ),
    case(
        TR,
        "Compose of a non-callable",
        lambda: T.Compose([3]),
        TypeError,
        "Compose: transforms[0]",
        "is not callable",
    ),
    case(
        TR,
        "Normalize with no statistics",
        lambda: T.Normalize([], []),
        ValueError,
        "Normalize: mean and std",
        "at least 1",
    ),
    case(
        TR,
        "Normalize std 0",
        lambda: T.Normalize(0.5, 0.0),
        ValueError,
        "Normalize: std",
        "> 0",
    ),
    case(
        TR,
        "Normalize lengths differ",
        lambda: T.Normalize((0.5, 0.5), (0.2,)),
        ValueError,
        "Normalize: mean and std",
        "same length",
    ),
    case(
        TR,
        "Normalize channel mismatch",
        lambda: T.Normalize((0.5, 0.5), (0.2, 0.2))(torch.zeros(1, 3, 4, 4)),
        ValueError,
        "Normalize: 2 channel statistics",
        "a batch with 3 channels",
    ),
    case(
        TR,
        "RandomResizedCrop size of three",
        lambda: T.RandomResizedCrop((2, 3, 4)),
        ValueError,
        "RandomResizedCrop: size",
        "an int or a pair",
    ),
    case(
        TR,
        "RandomResizedCrop scale reversed",
        lambda: T.RandomResizedCrop(8, scale=(0.5, 0.1)),
        ValueError,
        "RandomResizedCrop: scale",
        "low <= high",
    ),
    case(
        TR,
        "RandomResizedCrop scale above 1",
        lambda: T.RandomResizedCrop(8, scale=(0.5, 1.5)),
        ValueError,
        "RandomResizedCrop: scale",
        "(0, 1]",
    ),
    case(
        TR,
        "RandomHorizontalFlip p 2",
        lambda: T.RandomHorizontalFlip(2),
        ValueError,
        "RandomHorizontalFlip: p",
        "<= 1",
    ),
    case(
        TR,
        "a transform of a uint8 tensor",
        lambda: T.RandomHorizontalFlip()(
            torch.zeros(1, 1, 2, 2, dtype=torch.uint8)
        ),
        TypeError,
        "RandomHorizontalFlip: expected a floating-point tensor",
        "torch.uint8",
    ),
    case(
        TR,
        "a transform of a numpy array",
        lambda: T.RandomHorizontalFlip()(np.zeros((1, 2, 2))),
        TypeError,
        "RandomHorizontalFlip: expected a torch.Tensor",
        "ndarray",
    ),
    case(
        TR,
        "a transform of a 2-d tensor",
        lambda: T.ColorJitter(0.1)(torch.zeros(2, 2)),
        ValueError,
        "ColorJitter: expected shape (C, H, W) or (N, C, H, W)",
        "(2, 2)",
    ),
    case(
        TR,
        "ColorJitter saturation of 2 channels",
        lambda: T.ColorJitter(contrast=0.5, seed=0)(torch.zeros(1, 2, 4, 4)),
        ValueError,
        "ColorJitter: contrast and saturation",
        "1 or 3 channels",
    ),
    case(
        TR,
        "a transform's negative seed",
        lambda: T.RandomHorizontalFlip(seed=-1),
        ValueError,
        "RandomHorizontalFlip: seed",
        ">= 0",
    ),
    case(
        TR,
        "load_state_dict of an int",
        lambda: T.RandomHorizontalFlip(seed=0).load_state_dict(5),
        TypeError,
        "RandomHorizontalFlip.load_state_dict: state",
        "a dict from state_dict()",
    ),
    case(
        TR,
        "load_state_dict generator of the wrong kind",
        lambda: T.RandomAffine(seed=0).load_state_dict({"generator": 5}),
        TypeError,
        "RandomAffine.load_state_dict: state['generator']",
        "uint8 tensor",
    ),
    case(
        TR,
        "Compose.load_state_dict of a list",
        lambda: T.Compose([], seed=0).load_state_dict([]),
        TypeError,
        "Compose.load_state_dict: state",
        "a dict from state_dict()",
    ),
    case(
        TR,
        "channel_stats of an empty batch",
        lambda: T.channel_stats(torch.zeros(0, 1, 2, 2)),
        ValueError,
        "channel_stats",
        "a non-empty batch (N, C, H, W)",
    ),
]


@pytest.mark.parametrize("c", ERRORS)
def test_bad_input_is_refused_by_name(c):
    check(c)


@pytest.mark.parametrize(
    "make",
    [
        lambda: T.RandomAffine(10, (0.1, 0.1), (0.9, 1.1), seed=0),
        lambda: T.RandomRotation(15, seed=0),
        lambda: T.RandomHorizontalFlip(seed=0),
        lambda: T.ColorJitter(0.2, 0.2, 0.2, seed=0),
        lambda: T.Normalize((0.5, 0.5, 0.5), (0.2, 0.2, 0.2)),
    ],
    ids=[
        "RandomAffine",
        "RandomRotation",
        "RandomHorizontalFlip",
        "ColorJitter",
        "Normalize",
    ],
)
def test_transforms_pass_an_empty_batch(make):
    # like torchvision on a tensor batch: no images in, no images out
    assert make()(torch.zeros(0, 3, 8, 8)).shape == (0, 3, 8, 8)


def test_random_resized_crop_of_an_empty_batch_has_its_size():
    out = T.RandomResizedCrop((4, 6), seed=0)(torch.zeros(0, 3, 8, 8))
    assert out.shape == (0, 3, 4, 6)
