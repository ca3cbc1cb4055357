"""The sweep's table format: one bad call, the error it must raise, and
the fragments its message must hold.

A case passes only if the call raises exactly ``error`` (not a subclass,
not another type) and every fragment appears in the message: at least
the parameter (or file) the caller got wrong and what was expected, so
that a message which stopped naming either fails the sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Case:
    module: str  # the cnnbook module under test (counted by make sweep)
    call: Callable[[], object]
    error: type[BaseException]
    fragments: tuple[str, ...]


def case(module: str, name: str, call, error, *fragments, marks=()):
    """One row of a sweep table, as a ``pytest.param`` with an id that
    starts with the module."""
    if len(fragments) < 2:
        raise ValueError(
            f"sweep case {name!r}: give at least two fragments, the "
            "parameter (or file) and the expectation"
        )
    return pytest.param(
        Case(module, call, error, fragments),
        id=f"{module}: {name}",
        marks=marks,
    )


def check(c: Case) -> None:
    """Make the call; assert the error type and the message fragments."""
    with pytest.raises(BaseException) as info:
        c.call()
    raised = info.value
    assert type(raised) is c.error, (
        f"expected {c.error.__name__}, got {type(raised).__name__}: {raised}"
    )
    # str(KeyError("m")) is "'m'": the fragments still match inside it
    message = str(raised)
    missing = [f for f in c.fragments if f not in message]
    assert not missing, f"message {message!r} lacks {missing}"


def counts_as(module: str):
    """Count a test that is not a table of cases under ``module`` (by
    default a test counts under its file's ``SWEEP_MODULE``)."""

    def mark(test):
        test.sweep_module = module
        return test

    return mark
