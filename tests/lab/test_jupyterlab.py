"""The book in JupyterLab, as a new user meets it (``make lab-test``).

``make lab`` is started on a free port; headless Chromium opens JupyterLab,
which lands in ``chapters/`` with no question asked; the user double-clicks
a chapter's ``.md``, which opens as a notebook showing the outputs stored
in its ``.ipynb`` (a figure, printed text) and its glued numbers as the
HTML shows them; runs all cells; finds no error; closes the tab without
saving. The chapter's files are then exactly as they were.

The chapter is the quickest to run that has figures and glued numbers
(``CHAPTER``; about 20 s of execution on two cores).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "lab"))

from lab_display import glue_text, glue_values  # noqa: E402

pytestmark = pytest.mark.lab

CHAPTER = "05_architecture_components"
SCREENSHOTS = ROOT / "_build" / "screenshots" / "lab"
OPEN_TIMEOUT_MS = 120_000
RUN_TIMEOUT_S = 600
# Typed into a new cell at the end: the check must see what it prints.
FAILING_CELL = (
    'import sys; print("on stderr", file=sys.stderr); '
    'raise RuntimeError("the check sees errors")'
)

# Everything the page shows that the checks need, for the cells that are
# currently drawn (JupyterLab draws the cells near the viewport only).
VISIBLE_JS = r"""
() => {
  const panel = '.jp-NotebookPanel:not(.lm-mod-hidden) ';
  const all = selector => Array.from(document.querySelectorAll(selector));
  const text = e => (e.textContent || '').trim();
  // An output element carries the mime type it renders (or a child does)
  const outputs = mimes => all(mimes.map(m =>
    `${panel}.jp-OutputArea-output[data-mime-type="${m}"],`
    + `${panel}.jp-OutputArea-output [data-mime-type="${m}"]`).join(','));
  return {
    glued: all(`${panel}abbr[aria-label^="glue:text "]`)
      .map(a => [a.getAttribute('aria-label').slice(10), text(a)]),
    images: all(`${panel}.jp-OutputArea-output img`)
      .filter(img => img.complete && img.naturalWidth > 0)
      .map(img => img.src.length + ':' + img.src.slice(-40)),
    texts: outputs(['application/vnd.jupyter.stdout', 'text/plain'])
      .map(text),
    // [cell index, text]: a cell is drawn again as it scrolls past
    errors: outputs(['application/vnd.jupyter.error',
                     'application/vnd.jupyter.stderr'])
      .map(e => [e.closest('[data-windowed-list-index]')
                  .dataset.windowedListIndex, text(e)]),
    prompts: all(`${panel}.jp-CodeCell[data-windowed-list-index]`)
      .map(c => [c.dataset.windowedListIndex,
                 text(c.querySelector('.jp-InputPrompt'))]),
  };
}
"""


def file_hashes() -> dict[str, str]:
    """Every file under chapters/ (checkpoints and autosaves included)."""
    return {
        str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((ROOT / "chapters").rglob("*"))
        if p.is_file()
    }


def stored_notebook():
    return nbformat.read(ROOT / "chapters" / f"{CHAPTER}.ipynb", as_version=4)


def expected_glue() -> dict[str, str]:
    """Each glued value of the chapter's prose, as the HTML writes it."""
    nb = stored_notebook()
    values = glue_values(nb)
    bodies = {
        m[1]
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for m in re.finditer(r"\{glue:text\}`([^`]+)`", cell.source)
    }
    return {body: glue_text(values, body) for body in bodies}


def stored_images(nb) -> int:
    return sum(
        "image/png" in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )


def stored_streams(nb) -> list[str]:
    return [
        out["text"].strip()
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("name") == "stdout" and out["text"].strip()
    ]


def expected_errors(nb) -> dict[int, str]:
    """The error each cell tagged ``raises-exception`` shows, by cell."""
    errors = {}
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                assert "raises-exception" in cell.metadata.get("tags", [])
                errors[i] = f"{out['ename']}: {out['evalue']}"
    return errors


def error_problems(seen: dict, expected: dict[int, str]) -> list[str]:
    """Errors and stderr shown, other than the expected ones."""
    found = {}
    for (cell, _), text in seen["errors"].items():
        found.setdefault(cell, []).append(text)
    problems = []
    for cell, texts in sorted(found.items()):
        if (
            cell not in expected
            or len(texts) != 1
            or (expected[cell] not in texts[0])
        ):
            problems.append(f"cell {cell}: {texts}")
    missing = sorted(set(expected) - set(found))
    if missing:
        problems.append(f"expected errors not shown in cells {missing}")
    return problems


def scroll_through(page) -> dict:
    """Scroll the notebook from top to bottom, gathering what is drawn."""
    seen = {
        "glued": {},
        "images": set(),
        "texts": [],
        "errors": {},
        "prompts": {},
    }
    scroller = page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"
    )
    scroller.evaluate("e => e.scrollTo(0, 0)")
    while True:
        page.wait_for_timeout(400)  # lets the drawn cells render
        facts = page.evaluate(VISIBLE_JS)
        seen["glued"].update(dict(facts["glued"]))
        seen["images"].update(facts["images"])
        seen["texts"] += facts["texts"]
        seen["prompts"].update(
            {int(cell): prompt for cell, prompt in facts["prompts"]}
        )
        seen["errors"].update(
            {(int(cell), text): text for cell, text in facts["errors"]}
        )
        moved = scroller.evaluate(
            "e => { const before = e.scrollTop;"
            " e.scrollBy(0, e.clientHeight * 0.8);"
            " return e.scrollTop > before; }"
        )
        if not moved:
            return seen


def wait_for_idle_kernel(lab, quiet_s: float = 5.0) -> None:
    """Until the chapter's kernel has been idle, with no activity, for
    ``quiet_s`` (Run All queues every cell; between two cells the kernel
    is idle for a moment)."""
    end = time.monotonic() + RUN_TIMEOUT_S
    last, since = None, time.monotonic()
    while time.monotonic() < end:
        kernels = lab.api("kernels")
        assert len(kernels) == 1, kernels
        state = (kernels[0]["execution_state"], kernels[0]["last_activity"])
        if state != last:
            last, since = state, time.monotonic()
        elif state[0] == "idle" and time.monotonic() - since >= quiet_s:
            return
        time.sleep(0.5)
    pytest.fail(f"the kernel was still busy after {RUN_TIMEOUT_S} s")


def test_a_chapter_opens_with_its_outputs_runs_and_is_left_unchanged(
    lab, browser
):
    before = file_hashes()
    stored = stored_notebook()
    glue = expected_glue()
    assert glue and all(glue.values()), glue
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(OPEN_TIMEOUT_MS)
    timings = {}
    start = begin = time.monotonic()
    try:
        page.goto(f"{lab.url}?token={lab.token}")
        # make lab opens on chapters/, where the chapter is listed
        item = page.locator(".jp-DirListing-item", has_text=f"{CHAPTER}.md")
        item.wait_for()
        assert (
            page.locator(".jp-BreadCrumbs").inner_text().strip(" /")
            == "chapters"
        )
        item.dblclick()
        page.wait_for_function(
            "document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell'"
            ").length > 2"
        )
        lab_kernel_ready(lab)
        timings["open"] = time.monotonic() - start
        page.wait_for_timeout(2000)  # a notification would be up by now
        toasts = page.locator(".Toastify__toast").all_inner_texts()
        dialogs = page.locator(".jp-Dialog").all_inner_texts()
        assert not toasts and not dialogs, (toasts, dialogs)
        page.screenshot(path=str(SCREENSHOTS / "opened.png"))

        mark = time.monotonic()
        shown = scroll_through(page)
        timings["scan"] = time.monotonic() - mark
        assert shown["glued"] == glue, (
            "glued numbers shown differ from the HTML's"
        )
        assert len(shown["images"]) == stored_images(stored)
        streams = stored_streams(stored)
        assert streams and streams[0] in shown["texts"], (
            streams[:1],
            shown["texts"][:5],
        )
        errors = expected_errors(stored)
        assert not error_problems(shown, errors), error_problems(shown, errors)

        start = time.monotonic()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
        page.locator(
            ".lm-Menu-item:has(.lm-Menu-itemLabel:text-is('Run All Cells'))"
        ).click()
        wait_for_idle_kernel(lab)
        timings["run"] = time.monotonic() - start
        page.screenshot(path=str(SCREENSHOTS / "ran.png"))
        ran = scroll_through(page)
        assert not error_problems(ran, errors), error_problems(ran, errors)
        assert "[*]:" not in ran["prompts"].values(), ran["prompts"]
        assert ran["glued"] == glue
        assert len(ran["images"]) == stored_images(stored)

        # The same scan finds an error when there is one: a new cell
        # that fails.
        page.keyboard.press("Escape")
        page.keyboard.press("b")
        page.keyboard.press("Enter")
        page.keyboard.type(FAILING_CELL)
        page.keyboard.press("Shift+Enter")
        wait_for_idle_kernel(lab)
        last = scroll_through(page)
        failed = error_problems(last, errors)
        assert len(failed) == 1, failed
        assert "'on stderr'" in failed[0], failed
        assert "RuntimeError: the check sees errors" in failed[0], failed
        # Its count proves Run All executed every code cell, once, in the
        # kernel opening the chapter started.
        cell = int(failed[0].split(":")[0].removeprefix("cell "))
        code_cells = sum(c.cell_type == "code" for c in stored.cells)
        assert last["prompts"][cell] == f"[{code_cells + 1}]:", last[
            "prompts"
        ][cell]

        page.locator(".lm-MenuBar-itemLabel", has_text="File").click()
        page.locator(
            ".lm-Menu-item:has(.lm-Menu-itemLabel:text-is('Close Tab'))"
        ).click()
        page.locator(".jp-Dialog button", has_text="Discard").click()
        page.locator(".jp-NotebookPanel").wait_for(state="detached")
        timings["total"] = time.monotonic() - begin
    except Exception:
        page.screenshot(path=str(SCREENSHOTS / "failed.png"))
        raise
    finally:
        context.close()
        print(
            "JupyterLab check, seconds:",
            json.dumps({k: round(v, 1) for k, v in timings.items()}),
        )
    after = file_hashes()
    changed = sorted(set(after.items()) ^ set(before.items()))
    assert not changed, f"files under chapters/ changed: {changed}"


def lab_kernel_ready(lab) -> None:
    """The chapter's kernel has started (opening a notebook starts one)."""
    end = time.monotonic() + OPEN_TIMEOUT_MS / 1000
    while time.monotonic() < end:
        kernels = lab.api("kernels")
        if kernels and kernels[0]["execution_state"] == "idle":
            return
        time.sleep(0.5)
    pytest.fail("the chapter's kernel did not start")
