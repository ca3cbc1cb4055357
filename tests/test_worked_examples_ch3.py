"""The worked examples of encyclopedia section 3, as tests.

Expected values are written as the arithmetic a reader would do. Where the
encyclopedia is wrong the test pins the true value (and the errata store
records the difference).
"""

import numpy as np
import torch
import torch.nn.functional as F

import cnnbook.functional as cf
from cnnbook import sizes

IMAGE = np.array(
    [
        [1, 2, 3, 0, 1],
        [0, 1, 2, 3, 0],
        [1, 0, 1, 2, 3],
        [3, 2, 1, 0, 1],
        [0, 1, 0, 3, 2],
    ],
    dtype=float,
)
VERTICAL_EDGE = np.array([[-1, 0, 1]] * 3, dtype=float)
POOL_INPUT = np.array(
    [[1, 3, 2, 4], [5, 6, 1, 2], [7, 8, 9, 1], [3, 4, 2, 5]], dtype=float
)


def conv(image, kernel):
    return cf.conv2d(image[None, None], kernel[None, None])[0, 0]


def test_convolution_at_0_0_is_the_hand_computation():
    s00 = (
        (1 * -1 + 2 * 0 + 3 * 1)
        + (0 * -1 + 1 * 0 + 2 * 1)
        + (1 * -1 + 0 * 0 + 1 * 1)
    )
    assert s00 == 4
    assert conv(IMAGE, VERTICAL_EDGE)[0, 0] == s00


def test_full_feature_map_the_encyclopedia_gets_wrong():
    s = conv(IMAGE, VERTICAL_EDGE)
    # Each entry is (right column - left column) summed over the window.
    by_hand = np.array(
        [
            [
                (IMAGE[i : i + 3, j + 2] - IMAGE[i : i + 3, j]).sum()
                for j in range(3)
            ]
            for i in range(3)
        ]
    )
    np.testing.assert_array_equal(s, by_hand)
    np.testing.assert_array_equal(s, [[4, 2, -2], [0, 2, 0], [-2, 2, 4]])
    encyclopedia = np.array([[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    assert (s != encyclopedia).sum() == 7  # only S(0,0) and S(2,2) agree
    expected = F.conv2d(
        torch.tensor(IMAGE)[None, None],
        torch.tensor(VERTICAL_EDGE)[None, None],
    )[0, 0]
    np.testing.assert_array_equal(s, expected.numpy())


def test_output_size_examples():
    assert sizes.conv_output_size(32, 5, 1, 0) == (32 - 5 + 0) // 1 + 1 == 28
    assert sizes.conv_output_size(32, 3, 1, 1) == (32 - 3 + 2) // 1 + 1 == 32
    assert sizes.conv_output_size(32, 3, 2, 1) == (32 - 3 + 2) // 2 + 1 == 16


def test_parameter_examples():
    assert sizes.conv2d_parameters(3, 32, 3) == 3 * 3 * 3 * 32 + 32 == 896
    assert sizes.linear_parameters(1024, 512) == 1024 * 512 + 512 == 524_800


def test_softmax_example():
    z = np.array([2.0, 1.0, 0.1])
    denominator = np.exp(2.0) + np.exp(1.0) + np.exp(0.1)
    assert round(denominator, 2) == 11.21  # the encyclopedia has 10.95
    p = cf.softmax(z)
    np.testing.assert_allclose(p, np.exp(z) / denominator, rtol=1e-15)
    np.testing.assert_array_equal(np.round(p, 2), [0.66, 0.24, 0.10])
    assert abs(p.sum() - 1) < 1e-15  # not 1.02


def test_pooling_examples():
    x = POOL_INPUT[None, None]
    np.testing.assert_array_equal(
        cf.max_pool2d(x, 2)[0, 0],
        [
            [max(1, 3, 5, 6), max(2, 4, 1, 2)],
            [max(7, 8, 3, 4), max(9, 1, 2, 5)],
        ],
    )
    np.testing.assert_array_equal(
        cf.avg_pool2d(x, 2)[0, 0],
        [
            [(1 + 3 + 5 + 6) / 4, (2 + 4 + 1 + 2) / 4],
            [(7 + 8 + 3 + 4) / 4, (9 + 1 + 2 + 5) / 4],
        ],
    )
    np.testing.assert_array_equal(
        cf.avg_pool2d(x, 2)[0, 0], [[3.75, 2.25], [5.50, 4.25]]
    )
    assert cf.adaptive_avg_pool2d(x, 1)[0, 0, 0, 0] == POOL_INPUT.sum() / 16


def test_mnist_cnn_parameter_table():
    rows = {
        "conv1": sizes.conv2d_parameters(1, 32, 3),
        "conv2": sizes.conv2d_parameters(32, 64, 3),
        "fc1": sizes.linear_parameters(7 * 7 * 64, 128),
        "fc2": sizes.linear_parameters(128, 10),
    }
    assert rows == {
        "conv1": 3 * 3 * 1 * 32 + 32,
        "conv2": 3 * 3 * 32 * 64 + 64,
        "fc1": 3136 * 128 + 128,
        "fc2": 128 * 10 + 10,
    }
    assert sum(rows.values()) == 320 + 18_496 + 401_536 + 1_290 == 421_642
    assert round(100 * rows["fc1"] / 421_642) == 95


TWO_CHANNELS = np.array(
    [[[1, 2, 0], [0, 1, 3], [2, 1, 1]], [[0, 1, 1], [2, 0, 1], [1, 3, 0]]],
    dtype=float,
)
FILTER_BANK = np.array(
    [
        [[[2, 0], [0, -1]], [[0, 1], [1, 0]]],
        [[[1, 1], [1, 1]], [[0, -1], [2, 0]]],
    ],
    dtype=float,
)
BIASES = np.array([1.0, -2.0])


def test_two_channel_example_sums_over_input_channels():
    y = cf.conv2d(TWO_CHANNELS[None], FILTER_BANK, BIASES)[0]
    # Y_o(i, j) = b_o + sum over both channels of window * kernel.
    assert y[0, 0, 0] == (1 * 2 + 1 * -1) + (1 * 1 + 2 * 1) + 1 == 5
    assert y[1, 0, 0] == (1 + 2 + 0 + 1) + (2 * 2 - 1 * 1) - 2 == 5
    assert y[1, 1, 1] == (1 + 3 + 1 + 1) + (2 * 3 - 1 * 1) - 2 == 9
    np.testing.assert_array_equal(y, [[[5, 3], [1, 6]], [[5, 3], [4, 9]]])
    expected = F.conv2d(
        torch.tensor(TWO_CHANNELS)[None],
        torch.tensor(FILTER_BANK),
        torch.tensor(BIASES),
    )
    np.testing.assert_array_equal(y, expected[0].numpy())


def test_conv_parameters_are_one_filter_per_output_channel():
    # (k_h k_w C_in + 1) C_out: each filter has a kernel per input channel
    # and one bias.
    assert sizes.conv2d_parameters(3, 32, 3) == (3 * 3 * 3 + 1) * 32 == 896
    assert sizes.conv2d_parameters(2, 2, 2) == FILTER_BANK.size + 2 == 18
