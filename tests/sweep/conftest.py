"""The sweep of bad and edge-case calls (``make sweep``).

Every test under ``tests/sweep`` carries the ``sweep`` marker (each file
sets ``pytestmark``) and is counted by the module it covers: a table
case by its ``Case.module``, any other test by the module given with
``_cases.counts_as`` or else its file's ``SWEEP_MODULE``. The counts end
the run's summary.
"""

from collections import Counter


def _module_of(item) -> str:
    module = getattr(getattr(item, "function", None), "sweep_module", None)
    if module is not None:
        return module
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        for value in callspec.params.values():
            module = getattr(value, "module", None)
            if isinstance(module, str):
                return module
    return getattr(item.module, "SWEEP_MODULE", "?")


def pytest_collection_modifyitems(items):
    # runs where the tests are collected (each xdist worker too); the
    # module travels to the summary with the report's user_properties
    for item in items:
        if item.get_closest_marker("sweep") is not None:
            item.user_properties.append(("sweep_module", _module_of(item)))


def pytest_terminal_summary(terminalreporter):
    outcomes: dict[str, Counter] = {}
    for outcome in ("passed", "failed", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            props = dict(getattr(report, "user_properties", ()))
            if "sweep_module" not in props:
                continue
            if outcome != "skipped" and report.when != "call":
                continue
            outcomes.setdefault(props["sweep_module"], Counter())[outcome] += 1
    if not outcomes:
        return
    write = terminalreporter.write_line
    terminalreporter.section("sweep cases by module")
    total = Counter()
    for module in sorted(outcomes):
        counts = outcomes[module]
        total.update(counts)
        write(
            f"  {module:<28} {sum(counts.values()):>4}  "
            f"({counts['passed']} passed, {counts['failed']} failed, "
            f"{counts['skipped']} skipped)"
        )
    write(
        f"  {'total':<28} {sum(total.values()):>4}  "
        f"({total['passed']} passed, {total['failed']} failed, "
        f"{total['skipped']} skipped)"
    )
