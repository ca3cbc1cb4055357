"""The worked examples of encyclopedia section 4, as tests.

Expected values are written as the arithmetic a reader would do. Where the
encyclopedia is wrong the test pins the true value (and the errata store
records the difference).
"""

import math

import numpy as np
import torch

import cnnbook.functional as cf
from cnnbook import init, losses, sizes
from cnnbook.receptive_field import receptive_field

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


def test_true_convolution_flips_the_kernel():
    # (I * K)(0,0) = sum I[m, n] K[2-m, 2-n]: the left column now gets +1
    by_hand = (3 + 2 + 1) - (1 + 0 + 1)
    assert cf.convolve2d(IMAGE, VERTICAL_EDGE)[0, 0] == -by_hand == -4
    assert cf.correlate2d(IMAGE, VERTICAL_EDGE)[0, 0] == 4


def test_receptive_field_of_three_3x3_convs():
    assert [rf.size for rf in receptive_field([(3, 1)] * 3)] == [
        1 + 2,
        1 + 2 + 2,
        1 + 2 + 2 + 2,
    ]


def test_27_versus_49_c_squared():
    c = 64
    three = 3 * sizes.conv2d_parameters(c, c, 3, bias=False)
    one = sizes.conv2d_parameters(c, c, 7, bias=False)
    assert three == 3 * 3 * 3 * c * c and one == 7 * 7 * c * c
    assert round(100 * (1 - 27 / 49)) == 45
    assert math.isclose(1 - three / one, 22 / 49)


def test_cross_entropy_example_is_minus_log_0_6():
    p = np.array([[0.1, 0.2, 0.6, 0.05, 0.05]])
    loss = losses.nll_from_probabilities(p, np.array([2]))
    assert loss == -math.log(0.6)
    assert round(float(loss), 2) == 0.51


def test_backprop_example_by_hand():
    x = np.array(
        [[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 2], [1, 0, 1, 3]], dtype=float
    )
    w = np.array([[1, -1], [2, 0]], dtype=float)
    t = np.array([[1, -1, 2], [1, 2, -1], [1, 1, -1]], dtype=float)
    z = cf.correlate2d(x, w) - 0.5
    # z(0,0) = 1*1 + 2*(-1) + 0*2 + 1*0 - 0.5
    assert z[0, 0] == 1 - 2 + 0 + 0 - 0.5
    delta = t * (z > 0)
    grad_w, grad_b = cf.correlate2d(x, delta), delta.sum()
    np.testing.assert_array_equal(grad_w, [[-2, 3], [8, -1]])
    assert grad_b == 3
    # the encyclopedia's formulas: dL/dy instead of delta, operands swapped
    np.testing.assert_array_equal(cf.correlate2d(x, t), [[1, 9], [9, -3]])
    swapped = cf.correlate2d(delta, x, "full")[2:4, 2:4]
    np.testing.assert_array_equal(swapped, [[-1, 8], [3, -2]])
    grad_x = cf.convolve2d(delta, w, "full")
    wrong = cf.convolve2d(delta, w[::-1, ::-1], "full")
    np.testing.assert_array_equal(grad_x[0], [0, -1, 3, -2])
    np.testing.assert_array_equal(wrong[0], [0, 0, -2, 4])
    assert (wrong != grad_x).sum() == 14
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    y = torch.relu(
        torch.nn.functional.conv2d(tx[None, None], tw[None, None]) - 0.5
    )
    (torch.tensor(t) * y[0, 0]).sum().backward()
    np.testing.assert_array_equal(tw.grad.numpy(), grad_w)
    np.testing.assert_array_equal(tx.grad.numpy(), grad_x)


def test_he_standard_deviation_is_the_root_of_the_variance():
    n_in = 3 * 3 * 64
    std = init.kaiming_std((64, 64, 3, 3), nonlinearity="relu")
    assert math.isclose(std**2, 2 / n_in)
    assert f"{std:.4f}" == "0.0589"
    assert f"{(2 / n_in) ** 0.25:.4f}" == "0.2427"  # the variance as written


def test_momentum_ema_with_lr_one_equals_pytorch_with_lr_0_2():
    from cnnbook import optim

    assert math.isclose(optim.ema_lr_to_pytorch_lr(1.0, 0.8), 1.0 * 0.2)
