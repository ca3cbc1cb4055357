"""History: columns, best epoch, overfitting gap, atomic saving."""

import json

import pytest

from cnnbook.train import History


def make():
    return History(
        [
            {"epoch": 1, "train_loss": 1.0, "val_loss": 0.9, "val_acc": 0.6},
            {"epoch": 2, "train_loss": 0.5, "val_loss": 0.6, "val_acc": 0.8},
            {"epoch": 3, "train_loss": 0.2, "val_loss": 0.7, "val_acc": 0.8},
        ]
    )


def test_columns_best_and_gap():
    h = make()
    assert len(h) == 3 and h["val_loss"] == [0.9, 0.6, 0.7]
    assert h.best_epoch() == 2
    assert h.best_epoch("val_acc", mode="max") == 2  # ties: the earliest
    assert h.overfitting_gap() == pytest.approx([-0.1, 0.1, 0.5])
    with pytest.raises(KeyError, match="no column 'val_los'"):
        h["val_los"]


def test_save_load_is_atomic_and_faithful(tmp_path):
    h = make()
    path = h.save(tmp_path / "history.json")
    assert History.load(path).records == h.records
    assert [p.name for p in tmp_path.iterdir()] == ["history.json"]
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="bad.json is not a history"):
        History.load(tmp_path / "bad.json")
    (tmp_path / "list.json").write_text(json.dumps([1, 2]))
    with pytest.raises(ValueError, match="expected"):
        History.load(tmp_path / "list.json")


def test_table_and_plot():
    text = make().table(["epoch", "val_loss"])
    assert text.splitlines()[0].split() == ["epoch", "val_loss"]
    assert text.splitlines()[2].split() == ["2", "0.6"]
    fig = make().plot(gap=True)
    assert len(fig.axes) == 3
    assert "3 epochs" in repr(make())
