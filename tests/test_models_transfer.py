"""Transfer learning helpers: load_pretrained on state dicts the tests
make (torchvision's format, keys from the fixture), freeze/unfreeze."""

import copy
import hashlib
import json
from pathlib import Path

import pytest
import torch
import torch.nn as nn

from cnnbook.models import freeze, get_model, load_pretrained, unfreeze

FIXTURE = Path(__file__).parent / "fixtures" / "torchvision_state_dicts.json"


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def source():
    torch.manual_seed(0)
    return get_model("compact_cnn", num_classes=5)


@pytest.fixture
def saved(tmp_path, source):
    path = tmp_path / "source.pth"
    torch.save(source.state_dict(), path)
    return path


def test_loads_every_tensor(source, saved):
    torch.manual_seed(1)
    model = get_model("compact_cnn", num_classes=5)
    report = load_pretrained(model, saved)
    for name, value in source.state_dict().items():
        assert torch.equal(model.state_dict()[name], value), name
    assert len(report.loaded) == len(source.state_dict())
    assert report.skipped == () and report.sha256 == sha256(saved)
    assert "tensors loaded" in repr(report)


def test_skip_keeps_the_models_own_classifier(source, saved):
    torch.manual_seed(1)
    model = get_model("compact_cnn", num_classes=10)  # another head
    head = copy.deepcopy(model.classifier.state_dict())
    report = load_pretrained(model, saved, skip=("classifier.",))
    assert report.skipped == ("classifier.1.weight", "classifier.1.bias")
    assert all(k.startswith("features.") for k in report.loaded)
    for name, value in head.items():
        assert torch.equal(model.classifier.state_dict()[name], value)
    assert torch.equal(
        model.features[0][0].weight, source.features[0][0].weight
    )
    load_pretrained(
        get_model("compact_cnn", num_classes=10), saved, skip="classifier."
    )  # one prefix as a str


def test_mismatch_names_keys_and_leaves_the_model(saved):
    model = get_model("compact_cnn", num_classes=10)
    before = copy.deepcopy(model.state_dict())
    with pytest.raises(
        ValueError,
        match=r"load_pretrained: .*different "
        r"shapes \['classifier.1.bias: checkpoint \(5,\), "
        r"model \(10,\)'.*pass skip=",
    ):
        load_pretrained(model, saved)
    for name, value in before.items():
        assert torch.equal(model.state_dict()[name], value)
    with pytest.raises(ValueError, match=r"unexpected \['features.2.0.weig"):
        load_pretrained(
            get_model("compact_cnn", widths=(16, 32), num_classes=5), saved
        )
    deeper = get_model("compact_cnn", widths=(16, 32, 64, 64), num_classes=5)
    with pytest.raises(ValueError, match=r"missing \['features.3.0.weight"):
        load_pretrained(deeper, saved, skip=("classifier.",))


def test_torchvision_resnet18_format(tmp_path):
    """A state dict with torchvision's exact keys and shapes (recorded in
    the fixture) loads into the zoo's ResNet-18, new head skipped."""
    record = json.loads(FIXTURE.read_text())["models"]["resnet18"]
    generator = torch.Generator().manual_seed(0)
    state = {
        k: (
            torch.randn(shape, generator=generator)
            if shape
            else torch.tensor(7)
        )
        for k, shape in record["state_dict"].items()
    }
    state = {
        k: v.long() if k.endswith("num_batches_tracked") else v
        for k, v in state.items()
    }
    path = tmp_path / "resnet18.pth"
    torch.save(state, path)
    digest = sha256(path)
    named = tmp_path / f"resnet18-{digest[:8]}.pth"
    path.rename(named)
    model = get_model("resnet18", num_classes=10)
    report = load_pretrained(model, named, skip=("fc.",))
    assert report.skipped == ("fc.weight", "fc.bias")
    assert torch.equal(model.conv1.weight, state["conv1.weight"])
    assert torch.equal(
        model.layer4[1].bn2.running_var, state["layer4.1.bn2.running_var"]
    )
    assert model(torch.zeros(1, 3, 64, 64)).shape == (1, 10)


def test_hash_in_the_name_is_checked(tmp_path, source):
    path = tmp_path / "weights.pth"
    torch.save(source.state_dict(), path)
    digest = sha256(path)
    good = tmp_path / f"compact-{digest[:8]}.pth"
    good.write_bytes(path.read_bytes())
    load_pretrained(get_model("compact_cnn", num_classes=5), good)
    bad = tmp_path / "compact-deadbeef.pth"
    bad.write_bytes(path.read_bytes())
    with pytest.raises(
        ValueError,
        match="damaged or incomplete: its name "
        "says its SHA-256 starts with deadbeef",
    ):
        load_pretrained(get_model("compact_cnn", num_classes=5), bad)
    load_pretrained(
        get_model("compact_cnn", num_classes=5), bad, check_name_hash=False
    )


def test_explicit_sha256(saved):
    model = get_model("compact_cnn", num_classes=5)
    load_pretrained(model, saved, sha256=sha256(saved).upper())
    load_pretrained(model, saved, sha256=sha256(saved)[:10])
    with pytest.raises(ValueError, match="not the expected file"):
        load_pretrained(model, saved, sha256="0" * 64)
    with pytest.raises(ValueError, match="sha256 must be 8 to 64 hex"):
        load_pretrained(model, saved, sha256="xyz")


def test_truncated_and_foreign_files_are_refused(tmp_path, saved):
    model = get_model("compact_cnn", num_classes=5)
    truncated = tmp_path / "truncated.pth"
    truncated.write_bytes(saved.read_bytes()[:500])
    with pytest.raises(ValueError, match="not a readable state dict"):
        load_pretrained(model, truncated)
    text = tmp_path / "notes.pth"
    text.write_text("these are not weights")
    with pytest.raises(ValueError, match="not a readable state dict"):
        load_pretrained(model, text)


def test_non_state_dicts_are_refused(tmp_path, source):
    model = get_model("compact_cnn", num_classes=5)
    cases = {
        "tensor.pth": (torch.zeros(3), "holds a Tensor, not a state dict"),
        "list.pth": ([torch.zeros(3)], "holds a list"),
        "checkpoint.pth": (
            {"epoch": 3, "model": source.state_dict()},
            "looks like a training checkpoint.*'model'",
        ),
        "mixed.pth": (
            {"features.0.0.weight": 1.0},
            "'features.0.0.weight' is not a tensor",
        ),
    }
    for name, (content, match) in cases.items():
        path = tmp_path / name
        torch.save(content, path)
        with pytest.raises(ValueError, match=match):
            load_pretrained(model, path)


def test_dataparallel_prefix_gets_a_hint(tmp_path, source):
    path = tmp_path / "dp.pth"
    torch.save(
        {f"module.{k}": v for k, v in source.state_dict().items()}, path
    )
    with pytest.raises(ValueError, match="starts with 'module.'"):
        load_pretrained(get_model("compact_cnn", num_classes=5), path)


def test_never_downloads_and_checks_arguments(tmp_path, saved):
    model = get_model("compact_cnn", num_classes=5)
    with pytest.raises(
        ValueError, match="is a URL; load_pretrained never downloads"
    ):
        load_pretrained(
            model, "https://download.pytorch.org/models/resnet18-f37072fd.pth"
        )
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_pretrained(model, tmp_path / "missing.pth")
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        load_pretrained(model.state_dict(), saved)
    with pytest.raises(TypeError, match="path must be a str"):
        load_pretrained(model, 3)
    with pytest.raises(TypeError, match="skip must be key prefixes"):
        load_pretrained(model, saved, skip=("",))


# --- freeze / unfreeze ------------------------------------------------------


def test_frozen_parameters_get_no_gradient_and_do_not_move(source):
    freeze(source.features)
    x = torch.randn(8, 1, 28, 28)
    y = torch.arange(8) % 5
    nn.functional.cross_entropy(source(x), y).backward()
    assert all(p.grad is None for p in source.features.parameters())
    assert source.classifier[1].weight.grad is not None
    before = copy.deepcopy(source.state_dict())
    optimizer = torch.optim.SGD(
        source.parameters(), lr=0.1, momentum=0.9, weight_decay=0.1
    )
    optimizer.step()
    for name, value in source.state_dict().items():
        if name.startswith("features."):
            assert torch.equal(value, before[name]), name
    assert not torch.equal(
        source.classifier[1].weight, before["classifier.1.weight"]
    )


def test_frozen_batch_norm_stays_in_eval_mode(source):
    freeze(source.features)
    source.train()  # what a trainer does before every epoch
    assert source.training and source.classifier.training
    assert not any(m.training for m in source.features.modules())
    bn = source.features[0][1]
    before = bn.running_mean.clone()
    source(torch.randn(8, 1, 28, 28) + 3)
    assert torch.equal(bn.running_mean, before)
    source.eval()
    assert not source.training


def test_unfrozen_block_inside_a_frozen_part_trains(source):
    freeze(source.features)
    unfreeze(source.features[-1])
    source.train()
    assert source.features[-1].training and source.features[-1][1].training
    assert not source.features[0].training
    assert not source.features.training
    assert all(p.requires_grad for p in source.features[-1].parameters())
    assert not any(p.requires_grad for p in source.features[0].parameters())
    source.eval()
    assert not source.features[-1].training
    unfreeze(source.features)
    source.train()
    assert all(m.training for m in source.modules())
    assert all(p.requires_grad for p in source.parameters())


def test_freeze_survives_deepcopy(source):
    freeze(source.features)
    clone = copy.deepcopy(source)
    clone.train()
    assert not clone.features.training
    unfreeze(clone.features)
    clone.train()
    assert clone.features.training
    source.train()
    assert not source.features.training  # the original is still frozen


def test_unfreeze_mode_and_bad_input(source):
    freeze(source)
    assert unfreeze(source, mode=False) is source
    assert not source.training
    with pytest.raises(TypeError, match="freeze: module must be"):
        freeze(source.state_dict())
    with pytest.raises(TypeError, match="unfreeze: module must be"):
        unfreeze([source])
