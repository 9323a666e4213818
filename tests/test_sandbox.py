"""The sandbox turns a runaway, crashing or failing reader into one error for that file only."""

from __future__ import annotations

import os
import signal

from review_flow.errors import ExtractionError
from review_flow.extract.limits import MIB, Limits
from review_flow.sandbox import Sandbox


def behave(path: str, limits: Limits) -> str:
    """A stand-in reader whose behaviour is named by the file name."""
    if path == "spin":
        while True:
            pass
    if path == "balloon":
        hog = []
        while True:
            hog.append(bytearray(16 * MIB))
    if path == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    if path == "raise":
        raise ValueError("parser confused")
    if path == "refuse":
        raise ExtractionError(path, "refused on purpose")
    return path.upper()


def run(paths: list[str], **limits: int) -> list[tuple[str, object]]:
    with Sandbox(behave, Limits(**limits), jobs=2) as sandbox:
        return list(sandbox.run(paths))


def reason(outcome: object) -> str:
    assert isinstance(outcome, ExtractionError), outcome
    return outcome.reason


def test_results_come_back_in_input_order():
    assert run(["a", "b", "c"]) == [("a", "A"), ("b", "B"), ("c", "C")]


def test_a_spinning_reader_is_stopped_by_its_cpu_budget():
    outcomes = dict(run(["a", "spin", "b"], cpu_seconds=1))
    assert "CPU time" in reason(outcomes["spin"])
    assert outcomes["a"] == "A"
    assert outcomes["b"] == "B"


def test_a_ballooning_reader_is_stopped_by_the_memory_limit():
    outcomes = dict(run(["balloon", "b"], memory_bytes=512 * MIB))
    assert "memory" in reason(outcomes["balloon"])
    assert outcomes["b"] == "B"


def test_a_crashing_reader_fails_its_file_and_the_batch_goes_on():
    outcomes = run(["a", "crash", "b", "c"])
    assert [path for path, _ in outcomes] == ["a", "crash", "b", "c"]
    assert "crashed" in reason(dict(outcomes)["crash"])
    assert dict(outcomes)["c"] == "C"


def test_an_unexpected_exception_becomes_one_clear_error():
    outcomes = dict(run(["raise", "b"]))
    assert reason(outcomes["raise"]) == "could not be read (ValueError: parser confused)"
    assert outcomes["b"] == "B"


def test_a_deliberate_refusal_keeps_its_reason():
    assert reason(dict(run(["refuse"]))["refuse"]) == "refused on purpose"
