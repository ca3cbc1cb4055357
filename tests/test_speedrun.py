"""The speed run's pieces: the shift augmentation, TTA, result files."""

import json

import pytest
import torch

from cnnbook import speedrun


def test_shift_images_moves_each_image_and_fills():
    x = torch.arange(2 * 1 * 4 * 4, dtype=torch.float32).reshape(2, 1, 4, 4)
    out = speedrun.shift_images(
        x, torch.tensor([1, 0]), torch.tensor([0, -1]), max_shift=1, fill=-5.0
    )
    # image 0 moves one pixel right: column 0 is fill
    assert torch.equal(out[0, 0, :, 1:], x[0, 0, :, :3])
    assert (out[0, 0, :, 0] == -5).all()
    # image 1 moves one pixel up: the last row is fill
    assert torch.equal(out[1, 0, :3], x[1, 0, 1:])
    assert (out[1, 0, 3] == -5).all()
    assert torch.equal(speedrun.shift_images(x, 0, 0, 2), x)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        speedrun.shift_images(x, 2, 0, 1)


def test_random_shift_is_seeded_and_resumable():
    x = torch.rand(16, 1, 8, 8)
    a, b = speedrun.RandomShift(2, seed=3), speedrun.RandomShift(2, seed=3)
    state = a.state_dict()
    first = a(x)
    assert torch.equal(first, b(x))
    a.load_state_dict(state)
    assert torch.equal(a(x), first)
    assert not torch.equal(first, x)


def test_recipe_config():
    config = speedrun.RECIPE.config(seed=4, epochs=2)
    assert config.seed == 4 and config.epochs == 2
    assert config.optimizer == "sgd" and config.nesterov
    assert config.scheduler == "onecycle"
    assert config.channels_last == speedrun.RECIPE.channels_last


def test_result_files(tmp_path):
    runs = [
        {
            "seed": 0,
            "accuracy": 0.99,
            "correct": 742,
            "total": 750,
            "wall_s": 1.0,
            "cpu_s": 2.0,
            "load_before": [1.0, 1, 1],
        }
    ]
    speedrun.write_speedrun("final", "cmd", runs, tmp_path / "s.json")
    (tmp_path / "other.json").write_text(json.dumps({"format": "x"}))
    loaded = speedrun.load_speedruns(tmp_path)
    assert [r["file"] for r in loaded] == ["s.json"]
    assert loaded[0]["machine"]["torch"] == torch.__version__
    text = speedrun.format_speedrun(loaded[0])
    assert "742/750" in text and "test" in text and "load 1.0" in text
    with pytest.raises(ValueError, match="kind"):
        speedrun.write_speedrun("other", "cmd", runs, tmp_path / "t.json")
