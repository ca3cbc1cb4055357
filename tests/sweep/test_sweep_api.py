"""Sweep of what the api branch added or moved: summary, the models'
input check, numpy metrics, the torch criteria, the numpy training loop
and the schedulers built from a TrainConfig."""

import numpy as np
import pytest
import torch
from _cases import case, check

import cnnbook.nn as cnn
from cnnbook import metrics
from cnnbook.models import get_model
from cnnbook.nn.training import predict, train_epoch
from cnnbook.optim import SGD
from cnnbook.summary import summary
from cnnbook.train import TrainConfig, build_scheduler, lr_trace
from cnnbook.train.criteria import FocalLoss, class_weights

pytestmark = pytest.mark.sweep
SWEEP_MODULE = "api"


def lenet():
    return get_model("lenet5")


def net():
    return cnn.Sequential(cnn.Flatten(), cnn.Linear(4, 2, rng=0))


def epoch(**changes):
    """train_epoch of a tiny model with one argument changed."""
    model = net()
    args = dict(
        model=model,
        criterion=cnn.CrossEntropyLoss(),
        optimizer=SGD(model.parameters(), lr=0.1),
        images=np.zeros((4, 1, 2, 2), np.float32),
        labels=np.array([0, 1, 0, 1]),
    )
    return train_epoch(**{**args, **changes})


def torch_sgd():
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


X = np.zeros((4, 1, 2, 2), np.float32)
LOGITS, TARGET = torch.zeros(2, 3), torch.tensor([0, 2])
SU, MD, ME = "summary", "models", "metrics"
CR, TR, SC = "train.criteria", "nn.training", "train.schedules"

CASES = [
    # summary
    case(
        SU,
        "summary of an int",
        lambda: summary(5, (1, 32, 32)),
        TypeError,
        "summary: model",
        "torch.nn.Module",
    ),
    case(
        SU,
        "summary input_size of rank 2",
        lambda: summary(lenet(), (32, 32)),
        ValueError,
        "summary: input_size",
        "(C, H, W) or (N, C, H, W)",
    ),
    case(
        SU,
        "summary input_size a str",
        lambda: summary(lenet(), "1x32x32"),
        ValueError,
        "summary: input_size",
        "(C, H, W)",
    ),
    case(
        SU,
        "summary input_size with a 0",
        lambda: summary(lenet(), (1, 0, 32)),
        ValueError,
        "summary: input_size[1]",
        ">= 1",
    ),
    case(
        SU,
        "summary input_size with a float",
        lambda: summary(lenet(), (1, 32.5, 32)),
        TypeError,
        "summary: input_size[1]",
        "must be an int",
    ),
    case(
        SU,
        "summary depth 0",
        lambda: summary(lenet(), (1, 32, 32), depth=0),
        ValueError,
        "summary: depth",
        ">= 1",
    ),
    case(
        SU,
        "summary of 3 channels for a 1-channel model",
        lambda: summary(lenet(), (3, 32, 32)),
        ValueError,
        "LeNet5: expected input of shape (N, 1, 32, 32)",
        "got (1, 3, 32, 32)",
    ),
    # the models' input check
    case(
        MD,
        "lenet5 of one image without a batch axis",
        lambda: lenet()(torch.zeros(1, 32, 32)),
        ValueError,
        "LeNet5: expected input of shape",
        "x[None]",
    ),
    case(
        MD,
        "lenet5 of 3 channels",
        lambda: lenet()(torch.zeros(1, 3, 32, 32)),
        ValueError,
        "expected input of shape (N, 1, 32, 32)",
        "got (1, 3, 32, 32)",
    ),
    case(
        MD,
        "lenet5 of 8x8 images",
        lambda: lenet()(torch.zeros(1, 1, 8, 8)),
        ValueError,
        "expected input of shape (N, 1, 32, 32)",
        "image_size=",
    ),
    case(
        MD,
        "lenet5 of a numpy array",
        lambda: lenet()(np.zeros((1, 1, 32, 32), np.float32)),
        TypeError,
        "LeNet5: input",
        "must be a torch.Tensor",
    ),
    case(
        MD,
        "lenet5 of integer pixels",
        lambda: lenet()(torch.zeros(1, 1, 32, 32, dtype=torch.uint8)),
        TypeError,
        "LeNet5: input",
        "floating-point tensor",
    ),
    case(
        MD,
        "resnet18 of 1 channel",
        lambda: get_model("resnet18")(torch.zeros(1, 1, 32, 32)),
        ValueError,
        "ResNet: expected input of shape (N, 3, H, W)",
        "got (1, 1, 32, 32)",
    ),
    # metrics (numpy)
    case(
        ME,
        "accuracy of scores",
        lambda: metrics.accuracy([0.5, 1.0], [0, 1]),
        TypeError,
        "accuracy: pred",
        "integer class labels",
    ),
    case(
        ME,
        "accuracy of booleans",
        lambda: metrics.accuracy([True, False], [1, 1]),
        TypeError,
        "accuracy: pred",
        "integer class labels",
    ),
    case(
        ME,
        "accuracy of unequal lengths",
        lambda: metrics.accuracy([0, 1, 1], [0, 1]),
        ValueError,
        "accuracy: pred and target",
        "same length",
    ),
    case(
        ME,
        "accuracy of nothing",
        lambda: metrics.accuracy([], []),
        ValueError,
        "accuracy: pred and target are empty",
        "no predictions",
    ),
    case(
        ME,
        "accuracy of a 2-d array",
        lambda: metrics.accuracy([[0, 1]], [[0, 1]]),
        ValueError,
        "accuracy: pred",
        "1-d array",
    ),
    case(
        ME,
        "confusion_matrix num_classes 0",
        lambda: metrics.confusion_matrix([0], [0], 0),
        ValueError,
        "confusion_matrix: num_classes",
        ">= 1",
    ),
    case(
        ME,
        "confusion_matrix num_classes 2.0",
        lambda: metrics.confusion_matrix([0], [0], 2.0),
        TypeError,
        "confusion_matrix: num_classes",
        "must be an int",
    ),
    case(
        ME,
        "confusion_matrix label past num_classes",
        lambda: metrics.confusion_matrix([0, 3], [0, 1], 3),
        ValueError,
        "confusion_matrix: pred labels",
        "0..2",
    ),
    case(
        ME,
        "confusion_matrix negative label",
        lambda: metrics.confusion_matrix([0, 1], [0, -1], 3),
        ValueError,
        "confusion_matrix: target labels",
        "0..2",
    ),
    case(
        ME,
        "per_class_recall without num_classes",
        lambda: metrics.per_class_recall([0], [0], None),
        TypeError,
        "num_classes",
        "must be an int",
    ),
    case(
        ME,
        "balanced_accuracy target past num_classes",
        lambda: metrics.balanced_accuracy([0], [5], 2),
        ValueError,
        "target labels",
        "0..1",
    ),
    # FocalLoss, class_weights
    case(
        CR,
        "FocalLoss gamma -1",
        lambda: FocalLoss(gamma=-1),
        ValueError,
        "FocalLoss: gamma",
        ">= 0",
    ),
    case(
        CR,
        "FocalLoss gamma a str",
        lambda: FocalLoss(gamma="2"),
        TypeError,
        "FocalLoss: gamma",
        "real number",
    ),
    case(
        CR,
        "FocalLoss reduction avg",
        lambda: FocalLoss(reduction="avg"),
        ValueError,
        "FocalLoss: reduction",
        "'mean', 'sum', 'none'",
    ),
    case(
        CR,
        "FocalLoss alpha a matrix",
        lambda: FocalLoss(alpha=[[1, 2]]),
        ValueError,
        "FocalLoss: alpha",
        "one weight per class",
    ),
    case(
        CR,
        "FocalLoss alpha for 2 classes of 3",
        lambda: FocalLoss(alpha=[1.0, 2.0])(LOGITS, TARGET),
        ValueError,
        "FocalLoss: alpha has 2 weights",
        "for 3 classes",
    ),
    case(
        CR,
        "FocalLoss of numpy logits",
        lambda: FocalLoss()(LOGITS.numpy(), TARGET),
        TypeError,
        "FocalLoss: logits",
        "torch.Tensor",
    ),
    case(
        CR,
        "FocalLoss of a list of targets",
        lambda: FocalLoss()(LOGITS, [0, 2]),
        TypeError,
        "FocalLoss: target",
        "torch.Tensor",
    ),
    case(
        CR,
        "FocalLoss of 1-d logits",
        lambda: FocalLoss()(torch.zeros(3), TARGET),
        ValueError,
        "FocalLoss: logits",
        "(N, C)",
    ),
    case(
        CR,
        "FocalLoss of float targets",
        lambda: FocalLoss()(LOGITS, TARGET.float()),
        TypeError,
        "FocalLoss: target",
        "integer class indices",
    ),
    case(
        CR,
        "FocalLoss of 3 targets for 2 rows",
        lambda: FocalLoss()(LOGITS, torch.tensor([0, 1, 2])),
        ValueError,
        "FocalLoss: target",
        "shape (2,)",
    ),
    case(
        CR,
        "FocalLoss of class 3 of 3",
        lambda: FocalLoss()(LOGITS, torch.tensor([0, 3])),
        ValueError,
        "FocalLoss: target classes",
        "0..2",
    ),
    case(
        CR,
        "class_weights of nothing",
        lambda: class_weights([]),
        ValueError,
        "class_weights: labels",
        "non-empty 1-d",
    ),
    case(
        CR,
        "class_weights of floats",
        lambda: class_weights([0.0, 1.0]),
        TypeError,
        "class_weights: labels",
        "integers",
    ),
    case(
        CR,
        "class_weights of a negative label",
        lambda: class_weights([0, -1]),
        ValueError,
        "class_weights: labels",
        ">= 0",
    ),
    case(
        CR,
        "class_weights of a missing class",
        lambda: class_weights([0, 2]),
        ValueError,
        "class_weights: class 1",
        "no examples",
    ),
    case(
        CR,
        "class_weights label past num_classes",
        lambda: class_weights([0, 1, 2], num_classes=2),
        ValueError,
        "class_weights: label 2",
        "num_classes=2",
    ),
    case(
        CR,
        "class_weights num_classes 0",
        lambda: class_weights([0], num_classes=0),
        ValueError,
        "class_weights: num_classes",
        ">= 1",
    ),
    # the numpy training loop
    case(
        TR,
        "predict batch_size 0",
        lambda: predict(net(), X, batch_size=0),
        ValueError,
        "predict: batch_size",
        ">= 1",
    ),
    case(
        TR,
        "predict of no images",
        lambda: predict(net(), X[:0]),
        ValueError,
        "predict: images",
        "empty",
    ),
    case(
        TR,
        "predict of a vector",
        lambda: predict(net(), np.zeros(4)),
        ValueError,
        "predict: images",
        "batch axis",
    ),
    case(
        TR,
        "predict with a torch model",
        lambda: predict(torch.nn.Linear(4, 2), X),
        TypeError,
        "predict: model",
        "cnnbook.nn.Module",
    ),
    case(
        TR,
        "train_epoch batch_size 0",
        lambda: epoch(batch_size=0),
        ValueError,
        "train_epoch: batch_size",
        ">= 1",
    ),
    case(
        TR,
        "train_epoch of no images",
        lambda: epoch(images=X[:0], labels=np.array([], int)),
        ValueError,
        "train_epoch: images",
        "empty",
    ),
    case(
        TR,
        "train_epoch 3 labels for 4 images",
        lambda: epoch(labels=np.array([0, 1, 0])),
        ValueError,
        "train_epoch: labels",
        "3 labels for 4 images",
    ),
    case(
        TR,
        "train_epoch float labels",
        lambda: epoch(labels=np.array([0.0, 1.0, 0.0, 1.0])),
        TypeError,
        "train_epoch: labels",
        "integers",
    ),
    case(
        TR,
        "train_epoch schedule a number",
        lambda: epoch(schedule=0.1),
        TypeError,
        "train_epoch: schedule",
        "callable",
    ),
    case(
        TR,
        "train_epoch step -1",
        lambda: epoch(step=-1),
        ValueError,
        "train_epoch: step",
        ">= 0",
    ),
    case(
        TR,
        "train_epoch rng a str",
        lambda: epoch(rng="seed"),
        TypeError,
        "train_epoch: rng",
        "Generator",
    ),
    case(
        TR,
        "train_epoch optimizer a str",
        lambda: epoch(optimizer="sgd"),
        TypeError,
        "train_epoch: optimizer",
        "zero_grad and step",
    ),
    case(
        TR,
        "train_epoch criterion a function",
        lambda: epoch(criterion=lambda logits, labels: 0.0),
        TypeError,
        "train_epoch: criterion",
        "__call__ and backward",
    ),
    case(
        TR,
        "train_epoch model a str",
        lambda: epoch(model="net"),
        TypeError,
        "train_epoch: model",
        "cnnbook.nn.Module",
    ),
    # schedulers built from a TrainConfig
    case(
        SC,
        "build_scheduler of a dict",
        lambda: build_scheduler(torch_sgd(), {"scheduler": "step"}, 10),
        TypeError,
        "build_scheduler: config",
        "TrainConfig",
    ),
    case(
        SC,
        "build_scheduler of a str optimizer",
        lambda: build_scheduler("sgd", TrainConfig(), 10),
        TypeError,
        "build_scheduler: optimizer",
        "torch.optim.Optimizer",
    ),
    case(
        SC,
        "build_scheduler 0 steps per epoch",
        lambda: build_scheduler(torch_sgd(), TrainConfig(), 0),
        ValueError,
        "build_scheduler: steps_per_epoch",
        ">= 1",
    ),
    case(
        SC,
        "lr_trace of a dict",
        lambda: lr_trace({"scheduler": "cosine"}, 10),
        TypeError,
        "lr_trace: config",
        "TrainConfig",
    ),
    case(
        SC,
        "lr_trace of None",
        lambda: lr_trace(None, 10),
        TypeError,
        "lr_trace: config",
        "TrainConfig",
    ),
    case(
        SC,
        "lr_trace 0 steps per epoch",
        lambda: lr_trace(TrainConfig(), 0),
        ValueError,
        "lr_trace: steps_per_epoch",
        ">= 1",
    ),
]


@pytest.mark.parametrize("c", CASES)
def test_bad_arguments_are_refused_by_name(c):
    check(c)
