"""Augmentation on tensors: geometry against exact references, parameter
ranges, per-image randomness, seeds and state."""

import math

import numpy as np
import pytest
import torch

from cnnbook.data import transforms


def blob(size=21, at=(10, 15), sigma=1.5):
    """A small Gaussian spot, to follow where the geometry sends it (its
    center of mass survives bilinear resampling, a single pixel's does
    not quite)."""
    rows = torch.arange(size, dtype=torch.float32)[:, None]
    cols = torch.arange(size, dtype=torch.float32)[None, :]
    spot = torch.exp(
        -((rows - at[0]) ** 2 + (cols - at[1]) ** 2) / (2 * sigma**2)
    )
    return spot.view(1, 1, size, size)


def center_of_mass(image):
    h, w = image.shape[-2:]
    rows = torch.arange(h, dtype=torch.float64)[:, None]
    cols = torch.arange(w, dtype=torch.float64)[None, :]
    m = image.double().reshape(h, w)
    return float((m * rows).sum() / m.sum()), float((m * cols).sum() / m.sum())


def test_rotation_by_90_degrees_is_rot90():
    x = torch.rand(3, 2, 9, 9)
    out = transforms.RandomRotation((90, 90))(x)
    torch.testing.assert_close(
        out, torch.rot90(x, 1, dims=(-2, -1)), atol=1e-5, rtol=0
    )
    # non-square: 180 degrees is a flip of both axes
    y = torch.rand(2, 1, 6, 10)
    torch.testing.assert_close(
        transforms.RandomRotation((180, 180))(y),
        y.flip(-1).flip(-2),
        atol=1e-5,
        rtol=0,
    )
    torch.testing.assert_close(
        transforms.RandomRotation(0)(y), y, atol=1e-6, rtol=0
    )


@pytest.mark.parametrize("degrees", [-40.0, 15.0, 33.0])
def test_rotation_moves_a_point_by_the_rotation_matrix(degrees):
    # center (10, 10); the spot at (row 10, col 15) is 5 to the right.
    # With y pointing up, R(theta) [5, 0] = [5 cos, 5 sin]: the spot goes
    # up (smaller row) for a positive, counter-clockwise angle.
    out = transforms.RandomRotation((degrees, degrees))(blob())
    row, col = center_of_mass(out[0])
    theta = math.radians(degrees)
    assert col == pytest.approx(10 + 5 * math.cos(theta), abs=0.05)
    assert row == pytest.approx(10 - 5 * math.sin(theta), abs=0.05)


def test_affine_translation_and_scale():
    shift = transforms.RandomAffine(0, translate=(0.2, 0.0))
    # degenerate ranges make the draw exact: force tx = +0.2 * width
    shift._uniform = lambda n, lo, hi: torch.full((n,), hi)
    row, col = center_of_mass(shift(blob(at=(10, 10)))[0])
    assert (row, col) == (
        pytest.approx(10, abs=1e-4),
        pytest.approx(10 + 0.2 * 21, abs=0.05),
    )
    grow = transforms.RandomAffine(0, scale=(2.0, 2.0))
    row, col = center_of_mass(grow(blob(at=(10, 12), sigma=1.0))[0])
    assert col == pytest.approx(10 + 2 * 2, abs=0.05)


def test_each_image_gets_its_own_parameters_and_seeds_repeat():
    x = torch.rand(1, 1, 12, 12).expand(6, 1, 12, 12)
    rot = transforms.RandomRotation(30, seed=1)
    out = rot(x)
    assert not torch.allclose(out[0], out[1])
    again = transforms.RandomRotation(30, seed=1)(x)
    torch.testing.assert_close(out, again, atol=0, rtol=0)
    # state_dict captures the stream position
    state = rot.state_dict()
    a = rot(x)
    rot.load_state_dict(state)
    torch.testing.assert_close(rot(x), a, atol=0, rtol=0)
    # without a seed the global generator decides
    torch.manual_seed(5)
    g1 = transforms.RandomRotation(30)(x)
    torch.manual_seed(5)
    torch.testing.assert_close(
        transforms.RandomRotation(30)(x), g1, atol=0, rtol=0
    )
    assert transforms.RandomRotation(30).state_dict() == {}


def test_compose_seed_fixes_the_whole_pipeline():
    def pipeline(seed):
        return transforms.Compose(
            [
                transforms.RandomRotation(20),
                transforms.RandomHorizontalFlip(),
                transforms.Compose([transforms.ColorJitter(0.3, 0.3)]),
            ],
            seed=seed,
        )

    x = torch.rand(4, 3, 8, 8)
    torch.testing.assert_close(pipeline(3)(x), pipeline(3)(x), atol=0, rtol=0)
    assert not torch.allclose(pipeline(3)(x), pipeline(4)(x))
    p = pipeline(3)
    state = p.state_dict()
    first = p(x)
    p.load_state_dict(state)
    torch.testing.assert_close(p(x), first, atol=0, rtol=0)
    assert "RandomRotation" in repr(p)
    with pytest.raises(TypeError, match=r"transforms\[1\]"):
        transforms.Compose([transforms.RandomRotation(3), 5])


def test_single_images_and_batches():
    image = torch.rand(3, 8, 8)
    flip = transforms.RandomHorizontalFlip(p=1.0)
    torch.testing.assert_close(flip(image), image.flip(-1))
    assert transforms.RandomHorizontalFlip(p=0.0)(image).equal(image)
    many = transforms.RandomHorizontalFlip(p=0.3, seed=0)(
        torch.arange(8.0).view(1, 1, 1, 8).expand(2000, 1, 1, 8)
    )
    flipped = (many[:, 0, 0, 0] == 7).double().mean()
    assert abs(float(flipped) - 0.3) < 0.04  # 4 standard errors


def test_random_resized_crop():
    x = torch.rand(5, 3, 16, 16)
    identity = transforms.RandomResizedCrop(16, scale=(1, 1), ratio=(1, 1))
    torch.testing.assert_close(identity(x), x, atol=1e-6, rtol=0)
    crop = transforms.RandomResizedCrop((8, 12), scale=(0.3, 0.6), seed=0)
    assert crop(x).shape == (5, 3, 8, 12)
    m = crop.matrices(4000)
    fw, fh, cx = m[:, 0, 0], m[:, 1, 1], m[:, 0, 2]
    unclamped = (fw < 1) & (fh < 1)
    area = (fw * fh)[unclamped]
    assert area.min() >= 0.3 - 1e-6 and area.max() <= 0.6 + 1e-6
    ratio = (fw / fh)[unclamped]
    assert ratio.min() >= 3 / 4 - 1e-5 and ratio.max() <= 4 / 3 + 1e-5
    assert (cx.abs() <= 1 - fw + 1e-6).all()  # the crop stays inside
    with pytest.raises(ValueError, match=r"scale must lie in \(0, 1\]"):
        transforms.RandomResizedCrop(8, scale=(0.5, 1.5))


def test_color_jitter_ranges():
    x = torch.rand(200, 3, 6, 6) * 0.5 + 0.25
    bright = transforms.ColorJitter(brightness=0.2, seed=0)(x)
    ratio = (bright / x).flatten(1)
    assert torch.allclose(
        ratio.min(1).values, ratio.max(1).values, atol=1e-5
    )  # one factor per image
    assert ratio.min() >= 0.8 - 1e-6 and ratio.max() <= 1.2 + 1e-6
    gray = x.mean(1, keepdim=True).expand_as(x).contiguous()
    contrast = transforms.ColorJitter(contrast=0.2, seed=0)(gray)
    torch.testing.assert_close(
        contrast.mean((1, 2, 3)), gray.mean((1, 2, 3)), atol=1e-5, rtol=0
    )
    # saturation leaves gray pixels alone
    sat = transforms.ColorJitter(saturation=0.9, seed=0)(gray)
    torch.testing.assert_close(sat, gray, atol=1e-5, rtol=0)
    jitter = transforms.ColorJitter(1.0, 1.0, 1.0, seed=0)
    out = jitter(torch.rand(50, 3, 4, 4))
    assert out.min() >= 0 and out.max() <= 1
    one = transforms.ColorJitter(contrast=0.5)(torch.rand(2, 1, 4, 4))
    assert one.shape == (2, 1, 4, 4)


def test_normalize_from_data():
    rng = np.random.default_rng(0)
    images = rng.normal(
        [[[[0.2]], [[0.5]]]], [[[[0.1]], [[0.3]]]], size=(100, 2, 5, 5)
    ).astype(np.float32)
    norm = transforms.Normalize.from_data(images)
    out = norm(torch.from_numpy(images))
    np.testing.assert_allclose(out.mean((0, 2, 3)), [0, 0], atol=1e-5)
    np.testing.assert_allclose(
        out.std((0, 2, 3), unbiased=False), [1, 1], atol=1e-5
    )
    np.testing.assert_allclose(norm.mean, images.mean((0, 2, 3)), atol=1e-6)
    torch.testing.assert_close(
        norm.inverse(out), torch.from_numpy(images), atol=1e-5, rtol=0
    )
    with pytest.raises(ValueError, match="2 channel statistics"):
        norm(torch.rand(1, 3, 2, 2))
    with pytest.raises(ValueError, match="same length"):
        transforms.Normalize([0.1, 0.2], [1.0])
    with pytest.raises(ValueError, match="std must be > 0"):
        transforms.Normalize(0.1, 0.0)
    with pytest.raises(ValueError, match="non-empty batch"):
        transforms.channel_stats(np.zeros((0, 1, 2, 2)))


def test_bad_input_is_named():
    rot = transforms.RandomRotation(10)
    with pytest.raises(TypeError, match="RandomRotation: expected a torch"):
        rot(np.zeros((1, 4, 4)))
    with pytest.raises(TypeError, match="floating-point"):
        rot(torch.zeros(1, 4, 4, dtype=torch.uint8))
    with pytest.raises(ValueError, match=r"\(C, H, W\) or \(N, C, H, W\)"):
        rot(torch.zeros(4, 4))
    with pytest.raises(ValueError, match="p must be <= 1"):
        transforms.RandomHorizontalFlip(p=1.5)
    with pytest.raises(ValueError, match="low <= high"):
        transforms.RandomAffine((10, -10))
    with pytest.raises(TypeError, match="seed must be an int"):
        transforms.RandomRotation(10, seed=1.5)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_same_result_on_the_gpu():
    x = torch.rand(4, 3, 10, 10)
    pipeline = [
        transforms.RandomAffine(20, (0.1, 0.1), (0.9, 1.1), seed=0),
        transforms.ColorJitter(0.2, 0.2, 0.2, seed=0),
        transforms.RandomResizedCrop(8, seed=0),
    ]
    for t in pipeline:
        cpu = t(x)
        t.generator.manual_seed(0)
        torch.testing.assert_close(t(x.cuda()).cpu(), cpu, atol=1e-5, rtol=0)
