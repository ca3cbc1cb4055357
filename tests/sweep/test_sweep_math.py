"""Sweep of the small numeric modules: cnnbook.optim, cnnbook.init,
cnnbook.schedules, cnnbook.sizes and cnnbook.receptive_field."""

import numpy as np
import pytest
import torch
from _cases import case, check

from cnnbook import init, optim, schedules, sizes
from cnnbook import receptive_field as rf
from cnnbook.nn import Parameter

pytestmark = pytest.mark.sweep
SWEEP_MODULE = "schedules"


def param(shape=(3,)):
    return Parameter(np.zeros(shape))


def grad_of_wrong_shape():
    p = param()
    p.grad = np.zeros(4)
    optim.SGD([p], 0.1).step()


def shared():
    p = param()
    return optim.Adam([p, param(), p])


OPT, INIT, S, Z, R = ("optim", "init", "schedules", "sizes", "receptive_field")

ERRORS = [
    # optim
    case(
        OPT,
        "SGD params None",
        lambda: optim.SGD(None, 0.1),
        TypeError,
        "SGD: params",
        "iterable) of parameters",
    ),
    case(
        OPT,
        "SGD params an int",
        lambda: optim.SGD(5, 0.1),
        TypeError,
        "SGD: params",
        "iterable) of parameters",
    ),
    case(
        OPT,
        "SGD no params",
        lambda: optim.SGD([], 0.1),
        ValueError,
        "SGD: params",
        "empty list",
    ),
    case(
        OPT,
        "SGD an array instead of a Parameter",
        lambda: optim.SGD([np.zeros(3)], 0.1),
        TypeError,
        "SGD: params[0]",
        ".data and .grad arrays",
    ),
    case(
        OPT,
        "Adam the same parameter twice",
        shared,
        ValueError,
        "Adam: params[2] is params[0] again",
        "listed once",
    ),
    case(
        OPT,
        "SGD gradient of another shape",
        grad_of_wrong_shape,
        ValueError,
        "SGD.step: params[0].grad has shape (4,)",
        "they must be the same",
    ),
    case(
        OPT,
        "SGD negative lr",
        lambda: optim.SGD([param()], -0.1),
        ValueError,
        "SGD: lr",
        ">= 0",
    ),
    case(
        OPT,
        "SGD lr as string",
        lambda: optim.SGD([param()], "0.1"),
        TypeError,
        "SGD: lr",
        "real number",
    ),
    case(
        OPT,
        "SGD lr set to NaN by a schedule",
        lambda: setattr(optim.SGD([param()], 0.1), "lr", float("nan")),
        ValueError,
        "SGD: lr",
        "finite",
    ),
    case(
        OPT,
        "SGD negative momentum",
        lambda: optim.SGD([param()], 0.1, momentum=-0.9),
        ValueError,
        "SGD: momentum",
        ">= 0",
    ),
    case(
        OPT,
        "SGD nesterov without momentum",
        lambda: optim.SGD([param()], 0.1, nesterov=True),
        ValueError,
        "SGD: nesterov",
        "momentum > 0",
    ),
    case(
        OPT,
        "SGD nesterov as string",
        lambda: optim.SGD([param()], 0.1, momentum=0.9, nesterov="yes"),
        TypeError,
        "SGD: nesterov",
        "True or False",
    ),
    case(
        OPT,
        "SGD negative weight_decay",
        lambda: optim.SGD([param()], 0.1, weight_decay=-1),
        ValueError,
        "SGD: weight_decay",
        ">= 0",
    ),
    case(
        OPT,
        "Adam betas of three",
        lambda: optim.Adam([param()], betas=(0.9, 0.9, 0.9)),
        ValueError,
        "Adam: betas",
        "a pair",
    ),
    case(
        OPT,
        "Adam beta of 1",
        lambda: optim.Adam([param()], betas=(1, 0.9)),
        ValueError,
        "Adam: betas",
        "< 1",
    ),
    case(
        OPT,
        "AdamW negative eps",
        lambda: optim.AdamW([param()], eps=-1e-8),
        ValueError,
        "AdamW: eps",
        ">= 0",
    ),
    case(
        OPT,
        "MomentumEMA beta above 1",
        lambda: optim.MomentumEMA([param()], 0.1, beta=1.5),
        ValueError,
        "MomentumEMA: beta",
        "<= 1",
    ),
    case(
        OPT,
        "ema_lr_to_pytorch_lr negative beta",
        lambda: optim.ema_lr_to_pytorch_lr(0.1, -0.5),
        ValueError,
        "ema_lr_to_pytorch_lr: beta",
        ">= 0",
    ),
    case(
        OPT,
        "l2_penalty weights an int",
        lambda: optim.l2_penalty(5, 0.1),
        TypeError,
        "l2_penalty: weights",
        "of weight arrays",
    ),
    case(
        OPT,
        "l2_penalty a weight of strings",
        lambda: optim.l2_penalty([np.array(["a"])], 0.1),
        TypeError,
        "l2_penalty: weights[0]",
        "real numbers",
    ),
    case(
        OPT,
        "l2_penalty negative lambda",
        lambda: optim.l2_penalty([np.ones(2)], -0.1),
        ValueError,
        "l2_penalty: lam",
        ">= 0",
    ),
    case(
        OPT,
        "l2_penalty_grad of a string",
        lambda: optim.l2_penalty_grad("w", 0.1),
        TypeError,
        "l2_penalty_grad: weight",
        "numpy array",
    ),
    # init
    case(
        INIT,
        "kaiming_normal integer dtype",
        lambda: init.kaiming_normal((3, 3), dtype=np.int64),
        TypeError,
        "kaiming_normal: dtype",
        "floating-point dtype",
    ),
    case(
        INIT,
        "xavier_uniform unknown dtype",
        lambda: init.xavier_uniform((3, 3), dtype="bogus"),
        TypeError,
        "xavier_uniform: dtype",
        "floating-point dtype",
    ),
    case(
        INIT,
        "he_normal bool dtype",
        lambda: init.he_normal((3, 3), dtype=bool),
        TypeError,
        "kaiming_normal: dtype",
        "floating-point dtype",
    ),
    case(
        INIT,
        "kaiming_normal float shape",
        lambda: init.kaiming_normal((3.0, 3)),
        TypeError,
        "kaiming_normal: shape",
        "tuple of ints",
    ),
    case(
        INIT,
        "kaiming_uniform unknown mode",
        lambda: init.kaiming_uniform((3, 3), mode="in"),
        ValueError,
        "kaiming_uniform: mode",
        "'fan_in' or 'fan_out'",
    ),
    case(
        INIT,
        "kaiming_normal unknown nonlinearity",
        lambda: init.kaiming_normal((3, 3), nonlinearity="gelu"),
        ValueError,
        "kaiming_normal: unsupported nonlinearity 'gelu'",
        "leaky_relu",
    ),
    case(
        INIT,
        "kaiming_std NaN slope",
        lambda: init.kaiming_std((3, 3), a=float("nan")),
        ValueError,
        "kaiming_std: a",
        "finite",
    ),
    case(
        INIT,
        "xavier_normal 1-d shape",
        lambda: init.xavier_normal(3),
        ValueError,
        "xavier_normal: fan in and fan out",
        "fewer than 2 dimensions",
    ),
    case(
        INIT,
        "xavier_std negative gain",
        lambda: init.xavier_std((3, 3), gain=-1),
        ValueError,
        "xavier_std: gain",
        ">= 0",
    ),
    case(
        INIT,
        "calculate_fan_in_and_fan_out of None",
        lambda: init.calculate_fan_in_and_fan_out(None),
        TypeError,
        "calculate_fan_in_and_fan_out: shape",
        "tuple of ints",
    ),
    case(
        INIT,
        "calculate_fan_in_and_fan_out negative size",
        lambda: init.calculate_fan_in_and_fan_out((3, -1)),
        ValueError,
        "calculate_fan_in_and_fan_out: shape",
        "must not be negative",
    ),
    case(
        INIT,
        "calculate_gain slope as string",
        lambda: init.calculate_gain("leaky_relu", "a"),
        TypeError,
        "calculate_gain: param",
        "real number",
    ),
    case(
        INIT,
        "kaiming_normal weight with no fan_in",
        lambda: init.kaiming_normal((3, 0)),
        ValueError,
        "kaiming_normal: the weight (3, 0)",
        "has no fan_in",
    ),
    case(
        INIT,
        "xavier_normal seed as string",
        lambda: init.xavier_normal((3, 3), rng="0"),
        TypeError,
        "xavier_normal: rng",
        "Generator, an int seed or None",
    ),
    # schedules
    case(
        S,
        "step_decay negative step",
        lambda: schedules.step_decay(-1, 0.1, 10),
        ValueError,
        "step_decay: step",
        ">= 0",
    ),
    case(
        S,
        "step_decay negative gamma",
        lambda: schedules.step_decay(3, 0.1, 2, gamma=-0.5),
        ValueError,
        "step_decay: gamma",
        ">= 0",
    ),
    case(
        S,
        "step_decay step_size 0",
        lambda: schedules.step_decay(3, 0.1, 0),
        ValueError,
        "step_decay: step_size",
        ">= 1",
    ),
    case(
        S,
        "step_decay float step",
        lambda: schedules.step_decay(1.5, 0.1, 10),
        TypeError,
        "step_decay: step",
        "must be an int",
    ),
    case(
        S,
        "cosine_annealing t_max 0",
        lambda: schedules.cosine_annealing(0, 0.1, 0),
        ValueError,
        "cosine_annealing: t_max",
        ">= 1",
    ),
    case(
        S,
        "cosine_annealing negative lr_min",
        lambda: schedules.cosine_annealing(0, 0.1, 10, lr_min=-1e-3),
        ValueError,
        "cosine_annealing: lr_min",
        ">= 0",
    ),
    case(
        S,
        "linear_warmup warmup_steps 0",
        lambda: schedules.linear_warmup(0, 0.1, 0),
        ValueError,
        "linear_warmup: warmup_steps",
        ">= 1",
    ),
    case(
        S,
        "warmup_cosine negative lr_max names itself",
        lambda: schedules.warmup_cosine(0, -0.1, 2, 10),
        ValueError,
        "warmup_cosine: lr_max",
        ">= 0",
    ),
    case(
        S,
        "warmup_cosine total not past the warm-up",
        lambda: schedules.warmup_cosine(0, 0.1, 5, 5),
        ValueError,
        "warmup_cosine: total_steps",
        ">= 6",
    ),
    case(
        S,
        "one_cycle step past the end",
        lambda: schedules.one_cycle(10, 10, 0.1),
        ValueError,
        "one_cycle: step=10",
        "past the last step (9)",
    ),
    case(
        S,
        "one_cycle a warm-up of no length",
        lambda: schedules.one_cycle(0, 10, 0.1, pct_start=0.1),
        ValueError,
        "one_cycle: pct_start * total_steps",
        "must not be 1",
    ),
    case(
        S,
        "one_cycle unknown anneal_strategy",
        lambda: schedules.one_cycle(0, 10, 0.1, anneal_strategy="exp"),
        ValueError,
        "one_cycle: anneal_strategy",
        "'cos', 'linear'",
    ),
    case(
        S,
        "one_cycle three_phase as string",
        lambda: schedules.one_cycle(1, 10, 0.1, three_phase="no"),
        TypeError,
        "one_cycle: three_phase",
        "True or False",
    ),
    case(
        S,
        "one_cycle div_factor 0",
        lambda: schedules.one_cycle(1, 10, 0.1, div_factor=0),
        ValueError,
        "one_cycle: div_factor",
        "> 0",
    ),
    case(
        S,
        "one_cycle pct_start above 1",
        lambda: schedules.one_cycle(1, 10, 0.1, pct_start=1.5),
        ValueError,
        "one_cycle: pct_start",
        "<= 1",
    ),
    case(
        S,
        "one_cycle one step in all",
        lambda: schedules.one_cycle(0, 1, 0.1),
        ValueError,
        "one_cycle: total_steps",
        ">= 2",
    ),
    # sizes
    case(
        Z,
        "conv_output_size kernel larger than the input",
        lambda: sizes.conv_output_size(3, 5),
        ValueError,
        "conv_output_size: kernel_size=5",
        "larger than the padded input",
    ),
    case(
        Z,
        "conv_output_size size 0",
        lambda: sizes.conv_output_size(0, 3),
        ValueError,
        "conv_output_size: size",
        ">= 1",
    ),
    case(
        Z,
        "conv_output_size float stride",
        lambda: sizes.conv_output_size(28, 3, 1.5),
        TypeError,
        "conv_output_size: stride",
        "must be an int",
    ),
    case(
        Z,
        "pool_output_size size 0 names itself",
        lambda: sizes.pool_output_size(0, 2),
        ValueError,
        "pool_output_size: size",
        ">= 1",
    ),
    case(
        Z,
        "pool_output_size dilation 0 names itself",
        lambda: sizes.pool_output_size(4, 2, dilation=0),
        ValueError,
        "pool_output_size: dilation",
        ">= 1",
    ),
    case(
        Z,
        "pool_output_size ceil_mode as string",
        lambda: sizes.pool_output_size(4, 2, ceil_mode="yes"),
        TypeError,
        "pool_output_size: ceil_mode",
        "True or False",
    ),
    case(
        Z,
        "pool_output_size padding over half",
        lambda: sizes.pool_output_size(8, 2, padding=2),
        ValueError,
        "pool_output_size: padding=2",
        "at most half of kernel_size=2",
    ),
    case(
        Z,
        "conv2d_output_shape of an int",
        lambda: sizes.conv2d_output_shape(28, 3, 3),
        ValueError,
        "conv2d_output_shape: input_shape",
        "(N, C, H, W)",
    ),
    case(
        Z,
        "conv2d_output_shape of None",
        lambda: sizes.conv2d_output_shape(None, 3, 3),
        ValueError,
        "conv2d_output_shape: input_shape",
        "(N, C, H, W)",
    ),
    case(
        Z,
        "conv2d_output_shape float height",
        lambda: sizes.conv2d_output_shape((1, 3, 28.0, 28), 3, 3),
        TypeError,
        "conv2d_output_shape: input_shape[2]",
        "must be an int",
    ),
    case(
        Z,
        "conv2d_parameters bias as string",
        lambda: sizes.conv2d_parameters(3, 4, 3, bias="no"),
        TypeError,
        "conv2d_parameters: bias",
        "True or False",
    ),
    case(
        Z,
        "conv2d_parameters groups not dividing",
        lambda: sizes.conv2d_parameters(3, 4, 3, groups=2),
        ValueError,
        "conv2d_parameters: in_channels=3",
        "divisible by groups=2",
    ),
    case(
        Z,
        "linear_parameters bias as int",
        lambda: sizes.linear_parameters(3, 4, bias=0),
        TypeError,
        "linear_parameters: bias",
        "True or False",
    ),
    case(
        Z,
        "linear_parameters no inputs",
        lambda: sizes.linear_parameters(0, 4),
        ValueError,
        "linear_parameters: in_features",
        ">= 1",
    ),
    case(
        Z,
        "batch_norm_parameters affine as string",
        lambda: sizes.batch_norm_parameters(3, affine="no"),
        TypeError,
        "batch_norm_parameters: affine",
        "True or False",
    ),
    # receptive_field
    case(
        R,
        "receptive_field of None",
        lambda: rf.receptive_field(None),
        TypeError,
        "receptive_field: layers",
        "Layer objects",
    ),
    case(
        R,
        "receptive_field of an int",
        lambda: rf.receptive_field(5),
        TypeError,
        "receptive_field: layers",
        "Layer objects",
    ),
    case(
        R,
        "receptive_field of a string",
        lambda: rf.receptive_field("3x3"),
        TypeError,
        "receptive_field: layers",
        "Layer objects",
    ),
    case(
        R,
        "receptive_field of no layers",
        lambda: rf.receptive_field([]),
        ValueError,
        "receptive_field: layers",
        "must not be empty",
    ),
    case(
        R,
        "receptive_field tuple of five",
        lambda: rf.receptive_field([(3, 1, 0, 1, "x")]),
        TypeError,
        "receptive_field: layers[0]",
        "(kernel_size, stride, padding, dilation) tuple",
    ),
    case(
        R,
        "Layer name as int",
        lambda: rf.Layer(3, name=5),
        TypeError,
        "Layer: name",
        "must be a str",
    ),
    case(
        R,
        "Layer kernel_size 0",
        lambda: rf.Layer(0),
        ValueError,
        "Layer: kernel_size",
        ">= 1",
    ),
    case(
        R,
        "Layer negative padding",
        lambda: rf.receptive_field([(3, 1, -1)]),
        ValueError,
        "Layer: padding",
        ">= 0",
    ),
]


@pytest.mark.parametrize("c", ERRORS)
def test_bad_input_is_refused_by_name(c):
    check(c)


def test_one_cycle_agrees_with_pytorch_where_its_warm_up_has_a_length():
    # pct_start * total_steps = 1 is refused above (PyTorch divides by
    # zero); 1.1 steps of warm-up is fine, and equal to OneCycleLR
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=0.1, total_steps=10, pct_start=0.11
    )
    with pytest.raises(ZeroDivisionError):
        torch.optim.lr_scheduler.OneCycleLR(
            torch.optim.SGD([p], lr=0.1),
            max_lr=0.1,
            total_steps=10,
            pct_start=0.1,
        )
    for step in range(10):
        assert schedules.one_cycle(step, 10, 0.1, pct_start=0.11) == (
            pytest.approx(opt.param_groups[0]["lr"], rel=1e-12)
        )
        opt.step()
        sched.step()
