"""Sweep of cnnbook.functional: bad arguments refused by name; empty
batches and NaN behave as in PyTorch (compared in float64)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from _cases import case, check

import cnnbook.functional as F

pytestmark = pytest.mark.sweep
SWEEP_MODULE = "functional"
M = "functional"

X = np.ones((1, 3, 5, 5))
W = np.ones((4, 3, 3, 3))
G = np.ones((1, 4, 3, 3))  # grad_output of conv2d(X, W)
WT = np.ones((3, 2, 3, 3))  # a transposed convolution's weight
V = np.ones((2, 3))

ERRORS = [
    # conv2d and its backward
    case(
        M,
        "conv2d zero-height kernel",
        lambda: F.conv2d(X, np.ones((4, 3, 0, 3))),
        ValueError,
        "conv2d: weight",
        "kernel of at least 1x1",
        "(4, 3, 0, 3)",
    ),
    case(
        M,
        "conv2d zero-width kernel",
        lambda: F.conv2d(X, np.ones((4, 3, 3, 0))),
        ValueError,
        "conv2d: weight",
        "kernel of at least 1x1",
    ),
    case(
        M,
        "conv2d no output channels",
        lambda: F.conv2d(X, np.ones((0, 3, 3, 3))),
        ValueError,
        "conv2d: weight",
        "at least one output and one input channel",
    ),
    case(
        M,
        "conv2d input without channels",
        lambda: F.conv2d(np.ones((1, 0, 5, 5)), np.ones((4, 0, 3, 3))),
        ValueError,
        "conv2d: input",
        "at least one channel",
    ),
    case(
        M,
        "conv2d image of height 0",
        lambda: F.conv2d(np.ones((1, 3, 0, 5)), W, padding=1),
        ValueError,
        "conv2d: input",
        "height and width of at least 1",
    ),
    case(
        M,
        "conv2d 3-d input",
        lambda: F.conv2d(np.ones((3, 5, 5)), W),
        ValueError,
        "conv2d: input",
        "must have 4 dimensions",
    ),
    case(
        M,
        "conv2d string input",
        lambda: F.conv2d("image", W),
        TypeError,
        "conv2d: input",
        "numpy array",
    ),
    case(
        M,
        "conv2d boolean input",
        lambda: F.conv2d(X > 0, W),
        TypeError,
        "conv2d: input",
        "real numbers",
    ),
    case(
        M,
        "conv2d complex weight",
        lambda: F.conv2d(X, W.astype(complex)),
        TypeError,
        "conv2d: weight",
        "real numbers",
    ),
    case(
        M,
        "conv2d channel mismatch",
        lambda: F.conv2d(X, np.ones((4, 2, 3, 3))),
        ValueError,
        "conv2d: input has 3 channels",
        "weight expects",
    ),
    case(
        M,
        "conv2d groups not dividing",
        lambda: F.conv2d(X, np.ones((4, 1, 3, 3)), groups=3),
        ValueError,
        "conv2d: weight.shape[0]",
        "divisible by groups=3",
    ),
    case(
        M,
        "conv2d bias of wrong length",
        lambda: F.conv2d(X, W, np.ones(3)),
        ValueError,
        "conv2d: bias",
        "shape (4,)",
    ),
    case(
        M,
        "conv2d stride 0",
        lambda: F.conv2d(X, W, stride=0),
        ValueError,
        "conv2d: stride",
        ">= 1",
    ),
    case(
        M,
        "conv2d float stride",
        lambda: F.conv2d(X, W, stride=1.5),
        TypeError,
        "conv2d: stride",
        "must be an int",
    ),
    case(
        M,
        "conv2d boolean stride",
        lambda: F.conv2d(X, W, stride=True),
        TypeError,
        "conv2d: stride",
        "must be an int",
    ),
    case(
        M,
        "conv2d stride triple",
        lambda: F.conv2d(X, W, stride=(1, 1, 1)),
        ValueError,
        "conv2d: stride",
        "an int or a pair of ints",
    ),
    case(
        M,
        "conv2d negative padding",
        lambda: F.conv2d(X, W, padding=-1),
        ValueError,
        "conv2d: padding",
        ">= 0",
    ),
    case(
        M,
        "conv2d unknown padding string",
        lambda: F.conv2d(X, W, padding="full"),
        ValueError,
        "conv2d: padding",
        "'valid' or 'same'",
    ),
    case(
        M,
        "conv2d 'same' with stride 2",
        lambda: F.conv2d(X, W, padding="same", stride=2),
        ValueError,
        "conv2d: padding='same'",
        "needs stride=1",
    ),
    case(
        M,
        "conv2d dilation 0",
        lambda: F.conv2d(X, W, dilation=0),
        ValueError,
        "conv2d: dilation",
        ">= 1",
    ),
    case(
        M,
        "conv2d kernel larger than the image",
        lambda: F.conv2d(np.ones((1, 3, 2, 2)), W),
        ValueError,
        "conv2d: kernel height 3",
        "larger than the padded input",
    ),
    case(
        M,
        "conv2d groups 0",
        lambda: F.conv2d(X, W, groups=0),
        ValueError,
        "conv2d: groups",
        ">= 1",
    ),
    case(
        M,
        "conv2d_backward grad_output of wrong shape",
        lambda: F.conv2d_backward(np.ones((1, 4, 2, 2)), X, W),
        ValueError,
        "conv2d_backward: grad_output",
        "the output's shape (1, 4, 3, 3)",
    ),
    case(
        M,
        "conv2d_backward zero-size kernel",
        lambda: F.conv2d_backward(G, X, np.ones((4, 3, 0, 0))),
        ValueError,
        "conv2d_backward: weight",
        "kernel of at least 1x1",
    ),
    case(
        M,
        "conv2d_backward 2-d grad_output",
        lambda: F.conv2d_backward(np.ones((4, 9)), X, W),
        ValueError,
        "conv2d_backward: grad_output",
        "4 dimensions",
    ),
    # the reference loops and the 2-d correlations
    case(
        M,
        "conv2d_reference zero-size kernel",
        lambda: F.conv2d_reference(X, np.ones((4, 3, 0, 3))),
        ValueError,
        "conv2d_reference: weight",
        "kernel of at least 1x1",
    ),
    case(
        M,
        "conv2d_backward_reference zero-size kernel",
        lambda: F.conv2d_backward_reference(G, X, np.ones((4, 3, 3, 0))),
        ValueError,
        "conv2d_backward_reference: weight",
        "kernel of at least 1x1",
    ),
    case(
        M,
        "correlate2d empty kernel",
        lambda: F.correlate2d(np.ones((3, 3)), np.ones((0, 2))),
        ValueError,
        "correlate2d: kernel",
        "height and width of at least 1",
    ),
    case(
        M,
        "correlate2d empty image",
        lambda: F.correlate2d(np.ones((0, 3)), np.ones((2, 2)), "full"),
        ValueError,
        "correlate2d: image",
        "height and width of at least 1",
    ),
    case(
        M,
        "convolve2d unknown mode",
        lambda: F.convolve2d(np.ones((3, 3)), np.ones((2, 2)), "same"),
        ValueError,
        "convolve2d: mode",
        "'valid' or 'full'",
    ),
    case(
        M,
        "convolve2d kernel larger than the image",
        lambda: F.convolve2d(np.ones((2, 2)), np.ones((3, 3))),
        ValueError,
        "convolve2d",
        "kernel (3, 3) must fit in the image",
    ),
    case(
        M,
        "correlate2d 3-d image",
        lambda: F.correlate2d(np.ones((1, 3, 3)), np.ones((2, 2))),
        ValueError,
        "correlate2d: image",
        "2 dimensions",
    ),
    # transposed convolution
    case(
        M,
        "conv_transpose2d zero-size kernel",
        lambda: F.conv_transpose2d(X, np.ones((3, 2, 0, 3))),
        ValueError,
        "conv_transpose2d: weight",
        "kernel of at least 1x1",
    ),
    case(
        M,
        "conv_transpose2d channel mismatch",
        lambda: F.conv_transpose2d(X, np.ones((2, 2, 3, 3))),
        ValueError,
        "conv_transpose2d: input has 3 channels",
        "weight.shape[0] = 2",
    ),
    case(
        M,
        "conv_transpose2d output_padding too large",
        lambda: F.conv_transpose2d(X, WT, stride=2, output_padding=2),
        ValueError,
        "conv_transpose2d: output_padding",
        "smaller than the stride",
    ),
    case(
        M,
        "conv_transpose2d output of no rows",
        lambda: F.conv_transpose2d(np.ones((1, 3, 1, 1)), WT, padding=2),
        ValueError,
        "conv_transpose2d: the output height would be",
        "must be >= 1",
    ),
    case(
        M,
        "conv_transpose2d_backward grad_output of wrong shape",
        lambda: F.conv_transpose2d_backward(np.ones((1, 2, 5, 5)), X, WT),
        ValueError,
        "conv_transpose2d_backward: grad_output",
        "the output's shape (1, 2, 7, 7)",
    ),
    # pooling
    case(
        M,
        "max_pool2d kernel_size 0",
        lambda: F.max_pool2d(X, 0),
        ValueError,
        "max_pool2d: kernel_size",
        ">= 1",
    ),
    case(
        M,
        "max_pool2d padding over half the kernel",
        lambda: F.max_pool2d(X, 2, padding=2),
        ValueError,
        "max_pool2d: along the height",
        "padding=2 must be at most half",
    ),
    case(
        M,
        "max_pool2d image of width 0",
        lambda: F.max_pool2d(np.ones((1, 3, 5, 0)), 2),
        ValueError,
        "max_pool2d: input",
        "height and width of at least 1",
    ),
    case(
        M,
        "max_pool2d 2-d input",
        lambda: F.max_pool2d(np.ones((5, 5)), 2),
        ValueError,
        "max_pool2d: input",
        "3 or 4 dimensions",
    ),
    case(
        M,
        "max_pool2d truthy string ceil_mode",
        lambda: F.max_pool2d(X, 2, ceil_mode="no"),
        TypeError,
        "max_pool2d: ceil_mode",
        "True or False",
    ),
    case(
        M,
        "max_pool2d return_indices as int",
        lambda: F.max_pool2d(X, 2, return_indices=1),
        TypeError,
        "max_pool2d: return_indices",
        "True or False",
    ),
    case(
        M,
        "max_pool2d kernel larger than the image",
        lambda: F.max_pool2d(np.ones((1, 1, 2, 2)), 3),
        ValueError,
        "max_pool2d: along the height",
        "larger than the padded input",
    ),
    case(
        M,
        "max_pool2d_backward float indices",
        lambda: F.max_pool2d_backward(
            np.ones((1, 3, 2, 2)), X, 2, indices=np.zeros((1, 3, 2, 2))
        ),
        ValueError,
        "max_pool2d_backward: indices",
        "integers of the output's shape",
    ),
    case(
        M,
        "max_pool2d_backward grad_output of wrong shape",
        lambda: F.max_pool2d_backward(np.ones((1, 3, 3, 3)), X, 2),
        ValueError,
        "max_pool2d_backward: grad_output",
        "the output's shape (1, 3, 2, 2)",
    ),
    case(
        M,
        "max_pool2d_backward kernel_size 0 names itself",
        lambda: F.max_pool2d_backward(np.ones((1, 3, 2, 2)), X, 0),
        ValueError,
        "max_pool2d_backward: kernel_size",
        ">= 1",
    ),
    case(
        M,
        "avg_pool2d stride 0",
        lambda: F.avg_pool2d(X, 2, stride=0),
        ValueError,
        "avg_pool2d: stride",
        ">= 1",
    ),
    case(
        M,
        "avg_pool2d divisor_override 0",
        lambda: F.avg_pool2d(X, 2, divisor_override=0),
        ValueError,
        "avg_pool2d: divisor_override",
        ">= 1",
    ),
    case(
        M,
        "avg_pool2d count_include_pad as string",
        lambda: F.avg_pool2d(X, 2, count_include_pad="False"),
        TypeError,
        "avg_pool2d: count_include_pad",
        "True or False",
    ),
    case(
        M,
        "avg_pool2d_backward grad_output of wrong shape",
        lambda: F.avg_pool2d_backward(np.ones((1, 3, 5, 5)), X, 2),
        ValueError,
        "avg_pool2d_backward: grad_output",
        "the output's shape (1, 3, 2, 2)",
    ),
    case(
        M,
        "avg_pool2d_backward padding names itself",
        lambda: F.avg_pool2d_backward(np.ones((1, 3, 2, 2)), X, 2, padding=-1),
        ValueError,
        "avg_pool2d_backward: padding",
        ">= 0",
    ),
    case(
        M,
        "adaptive_avg_pool2d output_size 0",
        lambda: F.adaptive_avg_pool2d(X, 0),
        ValueError,
        "adaptive_avg_pool2d: output_size",
        ">= 1",
    ),
    case(
        M,
        "adaptive_avg_pool2d output_size triple",
        lambda: F.adaptive_avg_pool2d(X, (1, 2, 3)),
        ValueError,
        "adaptive_avg_pool2d: output_size",
        "an int or a pair",
    ),
    case(
        M,
        "adaptive_avg_pool2d image of height 0",
        lambda: F.adaptive_avg_pool2d(np.ones((1, 3, 0, 4)), 2),
        ValueError,
        "adaptive_avg_pool2d: input",
        "height and width of at least 1",
    ),
    case(
        M,
        "adaptive_avg_pool2d_backward batch mismatch",
        lambda: F.adaptive_avg_pool2d_backward(np.ones((2, 3, 1, 1)), X),
        ValueError,
        "adaptive_avg_pool2d_backward: grad_output",
        "must agree in all but the last two dimensions",
    ),
    # activations
    case(
        M,
        "softmax dim out of range",
        lambda: F.softmax(V, dim=2),
        ValueError,
        "softmax: dim=2",
        "out of range for an input with 2 dimensions",
    ),
    case(
        M,
        "softmax float dim",
        lambda: F.softmax(V, dim=1.0),
        TypeError,
        "softmax: dim",
        "must be an int",
    ),
    case(
        M,
        "log_softmax of strings",
        lambda: F.log_softmax(np.array(["a", "b"])),
        TypeError,
        "log_softmax: input",
        "real numbers",
    ),
    case(
        M,
        "softmax_backward shapes differ",
        lambda: F.softmax_backward(np.ones(3), V),
        ValueError,
        "softmax_backward: grad_output (3,)",
        "must have the same shape",
    ),
    case(
        M,
        "softmax_jacobian of a matrix",
        lambda: F.softmax_jacobian(V),
        ValueError,
        "softmax_jacobian: input",
        "1 dimensions",
    ),
    case(
        M,
        "leaky_relu slope as string",
        lambda: F.leaky_relu(V, "0.1"),
        TypeError,
        "leaky_relu: negative_slope",
        "real number",
    ),
    case(
        M,
        "leaky_relu_derivative NaN slope names itself",
        lambda: F.leaky_relu_derivative(V, float("nan")),
        ValueError,
        "leaky_relu_derivative: negative_slope",
        "finite",
    ),
    case(
        M,
        "relu of None",
        lambda: F.relu(None),
        TypeError,
        "relu: input",
        "numpy array",
    ),
    case(
        M,
        "relu_backward shapes differ",
        lambda: F.relu_backward(np.ones((3, 2)), V),
        ValueError,
        "relu_backward: grad_output (3, 2)",
        "must have the same shape",
    ),
    case(
        M,
        "tanh_backward of a dict",
        lambda: F.tanh_backward({}, V),
        TypeError,
        "tanh_backward: grad_output",
        "numpy array",
    ),
    # linear and batch norm
    case(
        M,
        "linear feature mismatch",
        lambda: F.linear(V, np.ones((4, 2))),
        ValueError,
        "linear: input's last dimension",
        "weight.shape[1] = 2",
    ),
    case(
        M,
        "linear 1-d weight",
        lambda: F.linear(V, np.ones(3)),
        ValueError,
        "linear: weight",
        "2 dimensions",
    ),
    case(
        M,
        "linear bias of wrong length",
        lambda: F.linear(V, np.ones((4, 3)), np.ones(3)),
        ValueError,
        "linear: bias",
        "shape (4,)",
    ),
    case(
        M,
        "linear_backward grad_output of wrong shape",
        lambda: F.linear_backward(np.ones((2, 5)), V, np.ones((4, 3))),
        ValueError,
        "linear_backward",
        "grad_output (..., 4)",
    ),
    case(
        M,
        "batch_norm 1-d input",
        lambda: F.batch_norm(np.ones(3), np.zeros(3), np.ones(3)),
        ValueError,
        "batch_norm: input",
        "(N, C) or (N, C, ...)",
    ),
    case(
        M,
        "batch_norm input without channels",
        lambda: F.batch_norm(np.ones((4, 0)), np.zeros(0), np.ones(0)),
        ValueError,
        "batch_norm: input",
        "at least one channel",
    ),
    case(
        M,
        "batch_norm running_mean broadcast from (1,)",
        lambda: F.batch_norm(V, np.zeros(1), np.ones(3)),
        ValueError,
        "batch_norm: running_mean",
        "shape (3,)",
    ),
    case(
        M,
        "batch_norm running_var as list",
        lambda: F.batch_norm(V, np.zeros(3), [1.0, 1.0, 1.0], training=True),
        TypeError,
        "batch_norm: running_var",
        "updated in place",
    ),
    case(
        M,
        "batch_norm eps 0",
        lambda: F.batch_norm(V, np.zeros(3), np.ones(3), eps=0),
        ValueError,
        "batch_norm: eps",
        "> 0",
    ),
    case(
        M,
        "batch_norm momentum 1.5",
        lambda: F.batch_norm(V, np.zeros(3), np.ones(3), momentum=1.5),
        ValueError,
        "batch_norm: momentum",
        "<= 1",
    ),
    case(
        M,
        "batch_norm training as string",
        lambda: F.batch_norm(V, np.zeros(3), np.ones(3), training="no"),
        TypeError,
        "batch_norm: training",
        "True or False",
    ),
    case(
        M,
        "batch_norm one value per channel in training",
        lambda: F.batch_norm(np.ones((1, 3)), None, None, training=True),
        ValueError,
        "batch_norm: training needs more than one value",
        "(1, 3)",
    ),
    case(
        M,
        "batch_norm eval without running statistics",
        lambda: F.batch_norm(V, None, None),
        ValueError,
        "batch_norm: running_mean and running_var",
        "training=False",
    ),
    case(
        M,
        "batch_norm_backward running_var broadcast from (1,)",
        lambda: F.batch_norm_backward(
            V, V, None, np.zeros(3), np.ones(1), training=False
        ),
        ValueError,
        "batch_norm_backward: running_var",
        "shape (3,)",
    ),
    case(
        M,
        "batch_norm_backward weight of wrong length",
        lambda: F.batch_norm_backward(V, V, np.ones(2)),
        ValueError,
        "batch_norm_backward: weight",
        "shape (3,)",
    ),
    case(
        M,
        "batch_norm_backward grad_output of wrong shape",
        lambda: F.batch_norm_backward(np.ones((3, 3)), V),
        ValueError,
        "batch_norm_backward: grad_output",
        "the input's shape (2, 3)",
    ),
    # dropout
    case(
        M,
        "dropout p above 1",
        lambda: F.dropout(V, 1.5),
        ValueError,
        "dropout: p",
        "<= 1",
    ),
    case(
        M,
        "dropout training as string",
        lambda: F.dropout(V, 0.5, training="False"),
        TypeError,
        "dropout: training",
        "True or False",
    ),
    case(
        M,
        "dropout float seed",
        lambda: F.dropout(V, 0.5, rng=1.5),
        TypeError,
        "dropout: rng",
        "Generator, an int seed or None",
    ),
    case(
        M,
        "dropout_backward mask of ints",
        lambda: F.dropout_backward(V, np.ones((2, 3), int)),
        ValueError,
        "dropout_backward: mask",
        "boolean array of shape (2, 3)",
    ),
    case(
        M,
        "dropout_scale_at_test keep_prob negative",
        lambda: F.dropout_scale_at_test(V, -0.1),
        ValueError,
        "dropout_scale_at_test: keep_prob",
        ">= 0",
    ),
    case(
        M,
        "dropout_scale_at_test_backward mask of wrong shape",
        lambda: F.dropout_scale_at_test_backward(V, np.ones(3, bool)),
        ValueError,
        "dropout_scale_at_test_backward: mask",
        "boolean array of shape (2, 3)",
    ),
]


@pytest.mark.parametrize("c", ERRORS)
def test_bad_input_is_refused_by_name(c):
    check(c)


# --- PyTorch parity: what PyTorch accepts, behave as it does ------------


def t(a, grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def same(ours, theirs):
    """Equal shapes, NaN in the same places, equal values elsewhere."""
    theirs = (
        theirs.detach().numpy()
        if isinstance(theirs, torch.Tensor)
        else np.asarray(theirs)
    )
    ours = np.asarray(ours)
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(
        ours[~np.isnan(ours)],
        theirs[~np.isnan(theirs)],
        rtol=1e-10,
        atol=1e-12,
    )


def forward_backward(ours, ours_backward, theirs, x, *args):
    """Our op and its backward against torch's op and autograd, with a
    fixed upstream gradient (ones), on inputs ``x`` and ``args``."""
    tx = t(x, True)
    targs = [t(a, True) for a in args]
    ty = theirs(tx, *targs)
    g = np.ones(ty.shape)
    ty.backward(t(g))
    y = ours(x, *args)
    same(y, ty)
    grads = ours_backward(g, x, *args)
    grads = grads if isinstance(grads, tuple) else (grads,)
    for mine, their in zip(
        grads, [tx.grad, *[a.grad for a in targs]], strict=False
    ):
        same(mine, their if their is not None else np.zeros(0))


EMPTY = np.zeros((0, 3, 5, 5))

PARITY_EMPTY = [
    pytest.param(
        lambda x, w: F.conv2d(x, w, padding=1),
        lambda g, x, w: F.conv2d_backward(g, x, w, padding=1)[:2],
        lambda x, w: TF.conv2d(x, w, padding=1),
        (EMPTY, np.ones((4, 3, 3, 3))),
        id="conv2d",
    ),
    pytest.param(
        lambda x, w: F.conv2d(x, w, stride=2),
        lambda g, x, w: F.conv2d_backward(g, x, w, stride=2)[:2],
        lambda x, w: TF.conv2d(x, w, stride=2),
        (EMPTY, np.ones((4, 3, 3, 3))),
        id="conv2d stride 2",
    ),
    pytest.param(
        lambda x, w: F.conv2d(x, w),
        lambda g, x, w: F.conv2d_backward(g, x, w)[:2],
        lambda x, w: TF.conv2d(x, w),
        (EMPTY, np.ones((4, 3, 1, 1))),
        id="conv2d 1x1",
    ),
    pytest.param(
        lambda x, w: F.conv2d(x, w, groups=3),
        lambda g, x, w: F.conv2d_backward(g, x, w, groups=3)[:2],
        lambda x, w: TF.conv2d(x, w, groups=3),
        (EMPTY, np.ones((6, 1, 3, 3))),
        id="conv2d depthwise",
    ),
    pytest.param(
        lambda x, w: F.conv_transpose2d(x, w, stride=2),
        lambda g, x, w: F.conv_transpose2d_backward(g, x, w, stride=2)[:2],
        lambda x, w: TF.conv_transpose2d(x, w, stride=2),
        (EMPTY, np.ones((3, 2, 3, 3))),
        id="conv_transpose2d",
    ),
    pytest.param(
        lambda x: F.max_pool2d(x, 2),
        lambda g, x: F.max_pool2d_backward(g, x, 2),
        lambda x: TF.max_pool2d(x, 2),
        (EMPTY,),
        id="max_pool2d",
    ),
    pytest.param(
        lambda x: F.avg_pool2d(x, 3, 1, 1),
        lambda g, x: F.avg_pool2d_backward(g, x, 3, 1, 1),
        lambda x: TF.avg_pool2d(x, 3, 1, 1),
        (EMPTY,),
        id="avg_pool2d",
    ),
    pytest.param(
        lambda x: F.adaptive_avg_pool2d(x, 2),
        lambda g, x: F.adaptive_avg_pool2d_backward(g, x),
        lambda x: TF.adaptive_avg_pool2d(x, 2),
        (EMPTY,),
        id="adaptive_avg_pool2d",
    ),
    pytest.param(
        lambda x, w: F.linear(x, w),
        lambda g, x, w: F.linear_backward(g, x, w)[:2],
        lambda x, w: TF.linear(x, w),
        (np.zeros((0, 3)), np.ones((2, 3))),
        id="linear",
    ),
    pytest.param(
        lambda x: F.batch_norm(x, np.zeros(3), np.ones(3), training=True),
        lambda g, x: F.batch_norm_backward(g, x)[0],
        lambda x: TF.batch_norm(x, None, None, training=True),
        (EMPTY,),
        id="batch_norm training",
    ),
    pytest.param(
        lambda x: F.batch_norm(x, np.zeros(3), np.ones(3)),
        lambda g, x: F.batch_norm_backward(
            g, x, None, np.zeros(3), np.ones(3), training=False
        )[0],
        lambda x: TF.batch_norm(x, t(np.zeros(3)), t(np.ones(3))),
        (EMPTY,),
        id="batch_norm eval",
    ),
    pytest.param(F.relu, F.relu_backward, torch.relu, (EMPTY,), id="relu"),
    pytest.param(
        F.sigmoid, F.sigmoid_backward, torch.sigmoid, (EMPTY,), id="sigmoid"
    ),
    pytest.param(F.tanh, F.tanh_backward, torch.tanh, (EMPTY,), id="tanh"),
    pytest.param(
        F.softmax,
        F.softmax_backward,
        lambda x: torch.softmax(x, -1),
        (np.zeros((0,)),),
        id="softmax of nothing",
    ),
    pytest.param(
        lambda x: F.softmax(x, 1),
        lambda g, x: F.softmax_backward(g, x, 1),
        lambda x: torch.softmax(x, 1),
        (np.zeros((3, 0)),),
        id="softmax over no classes",
    ),
    pytest.param(
        F.log_softmax,
        F.log_softmax_backward,
        lambda x: torch.log_softmax(x, -1),
        (np.zeros((4, 0)),),
        id="log_softmax over no classes",
    ),
    pytest.param(
        F.softmax,
        F.softmax_backward,
        lambda x: torch.softmax(x, 0),
        (np.array(2.0),),
        id="softmax of a 0-d array",
    ),
    pytest.param(
        F.log_softmax,
        F.log_softmax_backward,
        lambda x: torch.log_softmax(x, -1),
        (np.array(-3.0),),
        id="log_softmax of a 0-d array",
    ),
]


@pytest.mark.parametrize("ours, ours_backward, theirs, inputs", PARITY_EMPTY)
def test_empty_input_gives_what_pytorch_gives(
    ours, ours_backward, theirs, inputs
):
    forward_backward(ours, ours_backward, theirs, *inputs)


def test_conv2d_of_an_empty_batch_has_zero_weight_and_bias_gradients():
    w = np.ones((4, 3, 3, 3))
    tw, tb = t(w, True), t(np.ones(4), True)
    y = TF.conv2d(t(EMPTY), tw, tb)
    y.sum().backward()
    gx, gw, gb = F.conv2d_backward(np.zeros(tuple(y.shape)), EMPTY, w)
    same(gw, tw.grad)
    same(gb, tb.grad)
    assert gx.shape == EMPTY.shape


def test_batch_norm_of_an_empty_batch_leaves_the_running_statistics():
    mean, var = np.full(3, 0.5), np.full(3, 2.0)
    F.batch_norm(EMPTY, mean, var, training=True)
    tm, tv = (
        torch.full((3,), 0.5, dtype=torch.float64),
        torch.full((3,), 2.0, dtype=torch.float64),
    )
    TF.batch_norm(t(EMPTY), tm, tv, training=True)
    same(mean, tm)
    same(var, tv)


def _with_nan(rng):
    x = rng.normal(size=(2, 2, 6, 6))
    x[0, 0, 1, 1] = np.nan  # second in its 2x2 window
    x[0, 1, 0, 0] = np.nan  # first in its window
    x[1, 1, 0, 0] = x[1, 1, 0, 1] = np.nan  # two in one window
    x[1, 0, 3, 2] = np.inf
    x[1, 1, 4, 4] = -np.inf
    x[1, 0, 5, 5] = -np.inf  # a window of only -inf at the corner
    x[1, 0, 5, 4] = x[1, 0, 4, 5] = x[1, 0, 4, 4] = -np.inf
    return x


POOLS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1, padding=1),
    dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, dilation=2, padding=1),
]


@pytest.mark.parametrize("kwargs", POOLS, ids=str)
def test_max_pool2d_propagates_nan_as_pytorch(rng, kwargs):
    x = _with_nan(rng)
    tx = t(x, True)
    ty, tidx = TF.max_pool2d(tx, return_indices=True, **kwargs)
    g = rng.normal(size=tuple(ty.shape))
    ty.backward(t(g))
    y, idx = F.max_pool2d(x, return_indices=True, **kwargs)
    same(y, ty)
    np.testing.assert_array_equal(idx, tidx.numpy())
    assert np.isnan(y).any()
    with np.errstate(invalid="ignore"):
        same(F.max_pool2d_backward(g, x, **kwargs), tx.grad)
        same(F.max_pool2d_backward(g, x, indices=idx, **kwargs), tx.grad)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(kernel_size=2),
        dict(kernel_size=3, stride=1, padding=1),
        dict(
            kernel_size=3,
            stride=2,
            padding=1,
            ceil_mode=True,
            count_include_pad=False,
        ),
    ],
    ids=str,
)
def test_avg_pool2d_propagates_nan_as_pytorch(rng, kwargs):
    x = _with_nan(rng)
    tx = t(x, True)
    ty = TF.avg_pool2d(tx, **kwargs)
    g = rng.normal(size=tuple(ty.shape))
    ty.backward(t(g))
    with np.errstate(invalid="ignore"):
        same(F.avg_pool2d(x, **kwargs), ty)
        same(F.avg_pool2d_backward(g, x, **kwargs), tx.grad)


ELEMENTWISE = [
    (F.relu, F.relu_backward, torch.relu),
    (F.leaky_relu, F.leaky_relu_backward, TF.leaky_relu),
    (F.sigmoid, F.sigmoid_backward, torch.sigmoid),
    (F.tanh, F.tanh_backward, torch.tanh),
    (F.softmax, F.softmax_backward, lambda x: torch.softmax(x, -1)),
    (
        lambda x: F.softmax(x, 1),
        lambda g, x: F.softmax_backward(g, x, 1),
        lambda x: torch.softmax(x, 1),
    ),
    (
        F.log_softmax,
        F.log_softmax_backward,
        lambda x: torch.log_softmax(x, -1),
    ),
    (
        lambda x: F.adaptive_avg_pool2d(x, 4),
        F.adaptive_avg_pool2d_backward,
        lambda x: TF.adaptive_avg_pool2d(x, 4),
    ),
]


@pytest.mark.parametrize(
    "ours, ours_backward, theirs",
    ELEMENTWISE,
    ids=[
        "relu",
        "leaky_relu",
        "sigmoid",
        "tanh",
        "softmax",
        "softmax dim 1",
        "log_softmax",
        "adaptive_avg_pool2d",
    ],
)
def test_activations_propagate_nan_and_inf_as_pytorch(
    rng, ours, ours_backward, theirs
):
    x = _with_nan(rng)
    tx = t(x, True)
    ty = theirs(tx)
    g = rng.normal(size=tuple(ty.shape))
    ty.backward(t(g))
    with np.errstate(invalid="ignore"):
        same(ours(x), ty)
        same(ours_backward(g, x), tx.grad)


@pytest.mark.parametrize("training", [True, False])
def test_conv_linear_batch_norm_propagate_nan_as_pytorch(rng, training):
    x = _with_nan(rng)
    w = rng.normal(size=(3, 2, 3, 3))
    tx, tw = t(x, True), t(w, True)
    ty = TF.conv2d(tx, tw, padding=1)
    g = rng.normal(size=tuple(ty.shape))
    ty.backward(t(g))
    with np.errstate(invalid="ignore"):
        same(F.conv2d(x, w, padding=1), ty)
        gx, gw, _ = F.conv2d_backward(g, x, w, padding=1)
        same(gx, tx.grad)
        same(gw, tw.grad)
        mean, var = np.zeros(2), np.ones(2)
        tx = t(x, True)
        ty = TF.batch_norm(tx, t(mean), t(var), training=training)
        ty.backward(t(g[:, :2]))
        same(F.batch_norm(x, mean.copy(), var.copy(), training=training), ty)
        same(
            F.batch_norm_backward(
                g[:, :2], x, None, mean, var, training=training
            )[0],
            tx.grad,
        )
        flat = x.reshape(2, -1)
        wl = rng.normal(size=(5, flat.shape[1]))
        same(F.linear(flat, wl), TF.linear(t(flat), t(wl)))
