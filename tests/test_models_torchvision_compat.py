"""Every zoo model with a torchvision counterpart loads torchvision's state
dict. torchvision is not installed here: the fixture records its keys and
shapes (tools/make_torchvision_fixture.py, run once in a throw-away venv,
which also checked that the loaded models compute the same outputs)."""

import json
from pathlib import Path

import pytest
import torch

from cnnbook.models import get_model

FIXTURE = Path(__file__).parent / "fixtures" / "torchvision_state_dicts.json"
RECORD = json.loads(FIXTURE.read_text())
OURS = {
    "alexnet": "alexnet_torchvision",
    "googlenet": "googlenet_torchvision",
    "resnet50": "resnet50_torchvision",
    "resnet101": "resnet101_torchvision",
    "resnet152": "resnet152_torchvision",
}


def test_fixture_versions_and_coverage():
    assert RECORD["torch"] == "2.14.1"
    assert RECORD["torchvision"] == "0.29.1"
    assert len(RECORD["models"]) == 24


@pytest.mark.parametrize("tv_name", sorted(RECORD["models"]))
def test_load_torchvision_state_dict(tv_name):
    entry = RECORD["models"][tv_name]
    with torch.device("meta"):
        model = get_model(OURS.get(tv_name, tv_name))
    ours = {k: list(v.shape) for k, v in model.state_dict().items()}
    assert ours == entry["state_dict"]
    assert sum(p.numel() for p in model.parameters()) == entry["parameters"]
    # A state dict of exactly torchvision's keys and shapes loads strictly.
    state = {
        k: torch.empty(shape, device="meta")
        for k, shape in entry["state_dict"].items()
    }
    result = model.load_state_dict(state, strict=True, assign=True)
    assert not result.missing_keys and not result.unexpected_keys


def test_paper_variants_differ_from_torchvision_where_documented():
    models = RECORD["models"]
    with torch.device("meta"):
        paper_googlenet = get_model("googlenet").state_dict()
        paper_alexnet = get_model("alexnet").state_dict()
    tv = models["googlenet"]["state_dict"]
    assert tv["inception3a.branch3.1.conv.weight"] == [32, 16, 3, 3]
    assert list(
        paper_googlenet["inception3a.branch3.1.conv.weight"].shape
    ) == [32, 16, 5, 5]
    assert models["alexnet"]["state_dict"]["features.0.weight"] == [
        64,
        3,
        11,
        11,
    ]
    assert list(paper_alexnet["features.conv1.weight"].shape) == [
        96,
        3,
        11,
        11,
    ]


def test_real_weights_round_trip_cpu():
    """The same holds with real tensors: copy one model into a fresh one."""
    torch.manual_seed(0)
    source = get_model("resnet18").eval()
    target = get_model("resnet18").eval()
    target.load_state_dict(source.state_dict())
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(source(x), target(x), rtol=0, atol=0)
