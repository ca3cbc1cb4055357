"""The pairs gate refuses a notebook that displays a widget whose state it
does not store, as JupyterLab writes one when it saves a notebook after
running it (new view ids, old state; checked by hand: the fingerprint
cannot see it, since it leaves model ids out)."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import notebook_pairs  # noqa: E402
from notebook_pairs import WIDGET_STATE, WIDGET_VIEW, fingerprint  # noqa: E402

MD = ROOT / "chapters" / "99_widgets.md"


def notebook(view_id: str, stored_ids: list[str]) -> dict:
    """A notebook as `make notebooks` writes one with a slider."""
    state = {
        model: {"model_name": "IntSliderModel", "state": {}}
        for model in stored_ids
    }
    return {
        "metadata": {"widgets": {WIDGET_STATE: {"state": state}}},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# 99"},
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": 1,
                "source": "import ipywidgets as w\nw.IntSlider(3)",
                "outputs": [
                    {
                        "output_type": "execute_result",
                        "execution_count": 1,
                        "metadata": {},
                        "data": {
                            "text/plain": "IntSlider(value=3)",
                            WIDGET_VIEW: {
                                "version_major": 2,
                                "version_minor": 0,
                                "model_id": view_id,
                            },
                        },
                    }
                ],
            },
        ],
    }


def test_a_widget_with_its_stored_state_passes():
    assert notebook_pairs.unstored_widgets(MD, notebook("a1", ["a1"])) == []


def test_a_widget_saved_by_jupyterlab_after_a_run_fails():
    executed = notebook("a1", ["a1"])
    saved = copy.deepcopy(executed)
    saved["cells"][1]["outputs"][0]["data"][WIDGET_VIEW]["model_id"] = "b2"
    # What the fingerprint sees is unchanged ...
    assert fingerprint(saved) == fingerprint(executed)
    # ... this check is what fails, naming the cell and the way back.
    [problem] = notebook_pairs.unstored_widgets(MD, saved)
    assert problem.path == MD.with_suffix(".ipynb")
    assert problem.message.startswith(
        "cell 1 (nbval's Cell 0) displays a widget whose state"
    )
    assert (
        "git restore chapters/99_widgets.md chapters/99_widgets.ipynb"
        in problem.message
    )


def test_a_notebook_without_widget_state_fails_if_it_shows_one():
    nb = notebook("a1", [])
    del nb["metadata"]["widgets"]
    assert len(notebook_pairs.unstored_widgets(MD, nb)) == 1


def test_the_committed_chapters_store_their_widgets():
    for md in notebook_pairs.chapter_sources():
        raw = json.loads(md.with_suffix(".ipynb").read_text("utf-8"))
        assert notebook_pairs.unstored_widgets(md, raw) == [], md.name
