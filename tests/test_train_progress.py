"""The Trainer's progress bar in an executed notebook.

In a notebook the bar is a widget (``tqdm.auto``). A tiny notebook of
three training runs (finished, stopped early, failed) is executed once
with the bar on, the way ``make notebooks`` executes a chapter (nbclient,
widget state stored), and its outputs are checked: a run that ends
leaves nothing that nbval compares or the HTML book shows, so a chapter's
stored outputs are the same with the bar on or off; a failed run leaves
its bar, in red. nbval then re-runs it with the bar off, as ``make
nbval`` does, and must pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

SETUP = """\
import os

import torch
from torch.utils.data import TensorDataset

from cnnbook.train import TrainConfig, Trainer, seed_everything

SHOW = os.environ["CNNBOOK_TEST_PROGRESS"] == "1"
seed_everything(0)
images, labels = torch.randn(64, 1, 4, 4), torch.arange(64) % 4
data = TensorDataset(images, labels)


def run(epochs, callbacks=()):
    seed_everything(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 4))
    config = TrainConfig(epochs=epochs, batch_size=16, progress=SHOW)
    return Trainer(model, data, data, config, callbacks=callbacks).fit()
"""
FINISHED = """\
print("before")
history = run(2)
print("after:", len(history), "epochs")
"""
STOPPED_EARLY = """\
def stop(trainer, record):
    trainer.stopped_early = True


print("epochs run:", len(run(3, [stop])))
"""
FAILED = """\
def fail(trainer, record):
    raise RuntimeError("a callback failed")


run(3, [fail])
"""


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The tiny notebook, executed with the bar on."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "language": "python",
        "display_name": "Python 3",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(s)
        for s in (SETUP, FINISHED, STOPPED_EARLY, FAILED)
    ]
    nb.cells[-1].metadata["tags"] = ["raises-exception"]
    folder = tmp_path_factory.mktemp("progress")
    env = {"CNNBOOK_TEST_PROGRESS": "1", "CNNBOOK_PROGRESS": "1"}
    saved = {key: os.environ.get(key) for key in (*env, "CI")}
    os.environ.update(env)
    os.environ.pop("CI", None)  # CI turns the default bar off; SHOW wins
    try:
        NotebookClient(
            nb,
            kernel_name="python3",
            timeout=300,
            store_widget_state=True,
            allow_errors=True,
            resources={"metadata": {"path": str(folder)}},
        ).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    path = folder / "progress.ipynb"
    nbformat.write(nb, path)
    return path, nb


def test_a_finished_run_leaves_an_empty_display(executed):
    _, nb = executed
    outputs = code_cells(nb)[1].outputs
    assert [o.output_type for o in outputs] == [
        "stream",
        "display_data",
        "stream",
    ], outputs
    assert outputs[0].text == "before\n"
    # The bar's display, emptied when the run ended: no text for nbval
    # to compare, no mime type for myst-nb to render.
    assert outputs[1].data == {}
    assert outputs[2].text == "after: 2 epochs\n"


def test_a_run_stopped_early_leaves_an_empty_display(executed):
    _, nb = executed
    outputs = code_cells(nb)[2].outputs
    assert [(o.output_type, o.get("data")) for o in outputs[:1]] == [
        ("display_data", {})
    ], outputs
    assert outputs[1].text == "epochs run: 1\n"
    assert len(outputs) == 2


def test_nothing_goes_to_stderr(executed):
    _, nb = executed
    for cell in code_cells(nb):
        assert not [o for o in cell.outputs if o.get("name") == "stderr"], (
            cell.outputs
        )


def test_a_failed_run_leaves_its_bar_in_red(executed):
    _, nb = executed
    outputs = code_cells(nb)[3].outputs
    views = [o for o in outputs if WIDGET_VIEW in o.get("data", {})]
    assert len(views) == 1, outputs
    assert "text/plain" not in views[0].data
    assert outputs[-1].output_type == "error"
    state = nb.metadata["widgets"][
        "application/vnd.jupyter.widget-state+json"
    ]["state"]
    box = state[views[0].data[WIDGET_VIEW]["model_id"]]["state"]
    bar = state[box["children"][1].removeprefix("IPY_MODEL_")]["state"]
    assert bar["bar_style"] == "danger"
    assert 0 < bar["value"] < bar["max"]


def test_nbval_passes_with_the_bar_off(executed):
    path, _ = executed
    env = {**os.environ, "CNNBOOK_TEST_PROGRESS": "0"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "--nbval",
            "--nbval-current-env",
            "--rootdir",
            str(path.parent),
            str(path),
        ],
        cwd=path.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "4 passed" in result.stdout, result.stdout[-2000:]


def test_the_stored_outputs_hold_no_progress_text(executed):
    path, _ = executed
    text = json.dumps(json.loads(path.read_text())["cells"])
    assert "batch/s" not in text and "training:" not in text
