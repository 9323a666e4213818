"""What a batch scan hands from its workers to the process writing the output: each report
already written as JSON, and the batch's counts. Imports nothing of the scanner, so that the
parent of `review-flow scan --format json` never loads it (its workers do, in parallel).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, NamedTuple, TextIO

if TYPE_CHECKING:
    from review_flow.scan.model import ScanReport

# NOTE: scan.model.Verdict's values in its order (a test holds them equal); a Verdict is a
# StrEnum, so it counts under its value here.
VERDICTS = ("block", "review", "clear")


class Written(NamedTuple):
    """A report already written as JSON, with what a batch's summary counts of it.

    NOTE: a sandbox worker hands this back for `--format json` instead of the ScanReport: one
    string pickles in a fraction of the time thousands of findings take, the JSON is written
    in the workers, and the verdict travels as its value so that the parent unpickles it
    without importing the scanner.
    """

    path: str
    verdict: str
    error: str | None
    unreadable_pages: tuple[int, ...]
    json: str

    @classmethod
    def of(cls, report: ScanReport) -> Written:
        return cls(
            report.path,
            str(report.verdict),
            report.error,
            report.unreadable_pages,
            report.json_text(),
        )


class Tally:
    """The counts of a batch, kept as reports go by (the reports themselves need not be kept)."""

    def __init__(self) -> None:
        self.files = self.unreadable = self.with_unreadable_pages = 0
        self.verdicts = dict.fromkeys(VERDICTS, 0)

    def add(self, report: ScanReport | Written) -> None:
        self.files += 1
        if report.error is not None:
            self.unreadable += 1
            return
        self.verdicts[report.verdict] += 1
        self.with_unreadable_pages += bool(report.unreadable_pages)

    def as_dict(self, skipped: list[str] | None = None) -> dict[str, object]:
        """Verdicts of the files read, files that could not be read (apart from `review`),
        files with pages or pictures no machine read, and files skipped as unsupported."""
        return {
            "files": self.files,
            **self.verdicts,
            "unreadable_files": self.unreadable,
            "with_unreadable_pages": self.with_unreadable_pages,
            "skipped": list(skipped or []),
        }

    def line(self) -> str:
        """The closing line of the text output."""
        counts = self.verdicts
        errors, paged = self.unreadable, self.with_unreadable_pages
        return (
            f"{self.files} file(s): {counts['block']} block, {counts['review']} "
            f"review, {counts['clear']} clear"
            + (f", {errors} unreadable" if errors else "")
            + (f" ({paged} with pages or pictures no machine read)" if paged else "")
        )


class JsonOutput:
    """Writes `{"documents": [...], "summary": {...}}` a document at a time, byte for byte what
    one json.dumps(..., indent=1) of the whole batch writes."""

    def __init__(self, out: TextIO, skipped: list[str] | None = None) -> None:
        self.out, self.skipped, self.tally = out, skipped, Tally()

    def add(self, report: ScanReport | Written) -> None:
        written = report.json if isinstance(report, Written) else report.json_text()
        text = written.replace("\n", "\n  ")
        self.out.write(('{\n "documents": [\n  ' if not self.tally.files else ",\n  ") + text)
        self.tally.add(report)

    def close(self) -> None:
        summary = json.dumps(self.tally.as_dict(self.skipped), ensure_ascii=False, indent=1)
        head = "\n ]" if self.tally.files else '{\n "documents": []'
        self.out.write(head + ',\n "summary": ' + summary.replace("\n", "\n ") + "\n}\n")
