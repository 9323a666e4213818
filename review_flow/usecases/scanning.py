"""The sandboxed scan of stored or submitted bytes: the only way a use case parses a file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from review_flow.errors import ExtractionError, ReviewFlowError
from review_flow.extract.limits import check_size
from review_flow.redact import Redacted
from review_flow.sandbox import Sandbox
from review_flow.scan.model import ScanReport
from review_flow.tasks import RedactTask, ScanTask
from review_flow.usecases.frame import Settings


def read_file(path: Path, settings: Settings) -> bytes:
    """A file's bytes, refused before reading when it is over the size limit."""
    try:
        check_size(str(path), path.stat().st_size, settings.limits)
        return path.read_bytes()
    except OSError as exc:
        raise ExtractionError(str(path), f"cannot read ({exc.strerror})") from None


def scan_bytes(settings: Settings, data: bytes, file_name: str, reveal: bool = False) -> ScanReport:
    """Extract and scan these exact bytes in a sandbox worker; `reveal` leaves values unmasked."""
    with tempfile.TemporaryDirectory(prefix="review-flow-") as tmp:
        path = Path(tmp) / (Path(file_name).name or "document")
        path.write_bytes(data)
        task = ScanTask(settings.rules_dirs, reveal)
        with Sandbox(task, settings.limits, 1) as box:
            ((_, outcome),) = box.run([str(path)])
    if isinstance(outcome, ExtractionError):  # named as the user named it, not the temporary copy
        raise ExtractionError(file_name, outcome.reason, outcome.hint) from None
    if isinstance(outcome, ReviewFlowError):
        raise outcome
    assert isinstance(outcome, ScanReport)
    return outcome


def redact_bytes(settings: Settings, data: bytes, file_name: str, task: RedactTask) -> Redacted:
    """Redact these exact bytes in a sandbox worker (leftover-checked there)."""
    with tempfile.TemporaryDirectory(prefix="review-flow-") as tmp:
        path = Path(tmp) / (Path(file_name).name or "document")
        path.write_bytes(data)
        with Sandbox(task, settings.limits, 1) as box:
            ((_, outcome),) = box.run([str(path)])
    if isinstance(outcome, ExtractionError):
        raise ExtractionError(file_name, outcome.reason, outcome.hint) from None
    if isinstance(outcome, ReviewFlowError):
        raise outcome
    assert isinstance(outcome, Redacted)
    return outcome
