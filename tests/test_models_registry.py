"""The registry: every family registered, clear errors, every model's
parameter count, output shape and MACs pinned (tests/models_pins.py)."""

import re

import pytest
import torch
from models_pins import PINS, check_pins

from cnnbook.models import describe, get_model, list_models


def test_every_model_is_pinned_and_every_pin_is_a_model():
    assert sorted(PINS) == list_models()


@pytest.mark.parametrize("name", sorted(PINS))
def test_pinned_structure(name):
    check_pins(name)


@pytest.mark.parametrize("name", sorted(PINS))
def test_docstring_names_paper_and_variant(name):
    text = describe(name)
    assert any(
        year in text
        for year in (
            "1998",
            "2012",
            "2015",
            "2016",
            "2017",
            "2018",
            "2019",
            "torchvision",
            "encyclopedia",
        )
    )


@pytest.mark.parametrize("name", sorted(PINS))
def test_parameter_counts_in_docstrings_are_the_counted_ones(name):
    # A docstring's first paragraph that states a count ("11,689,512
    # parameters") states this model's, as counted and pinned, not a
    # number typed from memory. (Later paragraphs describe variants.)
    doc = describe(name)
    stated = re.findall(r"(\d{1,3}(?:,\d{3})+) (?:trainable )?param", doc)
    assert all(int(n.replace(",", "")) == PINS[name][0] for n in stated), (
        stated,
        PINS[name][0],
    )


def test_unknown_name_lists_the_models():
    with pytest.raises(
        ValueError,
        match="unknown model 'resnet'; available: alexnet, .*vgg19_bn",
    ):
        get_model("resnet")
    with pytest.raises(ValueError, match="unknown model"):
        describe("resnet")


def test_unknown_keyword_names_the_model():
    with pytest.raises(TypeError, match=r"get_model\('resnet18'\): .*foo"):
        get_model("resnet18", foo=1)


@pytest.mark.parametrize(
    "name",
    [
        "resnet18",
        "vgg11",
        "mobilenet_v2",
        "efficientnet_b0",
        "googlenet",
        "alexnet_torchvision",
    ],
)
def test_num_classes_and_in_channels(name):
    with torch.device("meta"):
        model = get_model(name, num_classes=7, in_channels=1).eval()
    assert model(torch.empty(1, 1, 96, 96, device="meta")).shape == (1, 7)
