"""Top-level functions the sandbox runs in its workers (they must be importable by name)."""

from __future__ import annotations

import gc
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from review_flow.batch import Written
from review_flow.errors import ExtractionError, RedactionError

# NOTE: the scanner and the readers are imported where they are used: `review-flow scan` forks
# its workers before it loads them, so that each worker loads them in parallel while the parent,
# which only writes what they hand back, never does.
if TYPE_CHECKING:
    from review_flow.extract import Extracted, Limits
    from review_flow.redact import Options, Redacted, Target
    from review_flow.scan import Scanner
    from review_flow.scan.model import ScanReport

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream Word writes its encrypted .docx into, named in the OLE directory in UTF-16.
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def extract_file(path: str, limits: Limits) -> Extracted:
    """extract.extract_file, naming a password-protected Word file as such.

    NOTE: Word saves an encrypted .docx as an OLE container holding `EncryptedPackage`; read
    as an OLE file it would be called an old binary .doc, and "save it as .docx" sends the
    clerk in a loop.
    """
    from review_flow.extract import extract_file as _extract_file

    try:
        return _extract_file(path, limits)
    except ExtractionError as exc:
        if is_encrypted_office(path):
            raise ExtractionError(
                path, "password-protected (encrypted) Word file: it cannot be read",
                hint="open it in Word, remove the password (文件 → 信息 → 保护文档 → "
                "用密码进行加密, clear it), save as .docx and submit that",
            ) from exc  # fmt: skip
        raise


def is_encrypted_office(path: str) -> bool:
    """An OLE container with an `EncryptedPackage` stream (an encrypted OOXML file)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(64 * 1024 * 1024)
    except OSError:
        return False
    return data.startswith(OLE_MAGIC) and ENCRYPTED_PACKAGE in data


def extract_task(path: str, limits: Limits) -> Extracted:
    return extract_file(path, limits)


_SCANNER: dict[tuple[str, ...], object] = {}


def scanner_for(rules_dirs: tuple[str, ...]) -> Scanner:
    """One Scanner per worker process and rules directories (its automaton is built once)."""
    from review_flow.scan import Scanner

    scanner = _SCANNER.get(rules_dirs)
    if scanner is None:
        scanner = Scanner.from_dirs(*(Path(d) for d in rules_dirs))
        _SCANNER[rules_dirs] = scanner
    assert isinstance(scanner, Scanner)
    return scanner


def ready_scanner(rules_dirs: tuple[str, ...], workers: int) -> Scanner:
    """This process's Scanner, made before `workers` workers fork from it (`review-flow scan`
    with text output, which needs the scanner in the parent anyway; the tests' desk): rules
    loaded and checked once, and for more than one worker the jieba dictionary too, so they
    share it instead of each loading its own (~0.3 s of CPU per worker). A single worker loads
    it when a document first needs it: a batch of clean documents never does."""
    scanner = scanner_for(rules_dirs)
    if workers > 1:
        scanner.segmenter.load()
        # NOTE: moves what is loaded so far out of the collector's reach: a worker's garbage
        # collections then no longer touch (and copy-on-write) the parent's objects, such as
        # the jieba dictionary.
        gc.freeze()
    return scanner


def with_shipped_rules(extra: tuple[str, ...]) -> tuple[str, ...]:
    """The shipped rules directory, then `--rules` ones (their rules override)."""
    from review_flow.scan.rules import default_rules_dir

    return (str(default_rules_dir()), *extra)


def check_rules(extra: tuple[str, ...]) -> None:
    """Load the rules in a worker, which keeps its Scanner: a missing or malformed rules file
    raises its RulesError here, once for the batch, before any file's report is written."""
    scanner_for(with_shipped_rules(extra))


@dataclass(frozen=True, slots=True)
class ScanTask:
    """Extract and scan one file in a sandbox worker (picklable: only plain fields)."""

    rules_dirs: tuple[str, ...]
    reveal: bool

    def __call__(self, path: str, limits: Limits) -> ScanReport:
        return scanner_for(self.rules_dirs).scan(extract_file(path, limits), reveal=self.reveal)


@dataclass(frozen=True, slots=True)
class ScanJsonTask:
    """As ScanTask, the report written as JSON in the worker (`review-flow scan --format json`),
    with the shipped rules and the `extra` ones: the command's parent, which never loads the
    scanner, does not know where the shipped rules are."""

    extra: tuple[str, ...]
    reveal: bool

    def __call__(self, path: str, limits: Limits) -> Written:
        report = ScanTask(with_shipped_rules(self.extra), self.reveal)(path, limits)
        return Written.of(report)


@dataclass(frozen=True, slots=True)
class Span:
    """A finding to redact, by its place in the extracted text (values are read there, in the
    worker, so raw personal data never travels through the database or the command line).

    `shown` is the finding's stored (masked) value: the text at the span must agree with it
    wherever it is not masked, or the file is not the one the finding was made on.
    """

    start: int
    end: int
    kind: str
    label: str
    category: str = "personal_data"
    shown: str = ""
    part: str = ""  # an embedded object's part (active_content findings have no span)


@dataclass(frozen=True, slots=True)
class RedactTask:
    """Redact one file in a sandbox worker: the spans given, or (None) every personal-data
    finding of its own scan. Returns the Redacted file, leftover-checked and re-scanned."""

    rules_dirs: tuple[str, ...]
    spans: tuple[Span, ...] | None
    options: Options

    def __call__(self, path: str, limits: Limits) -> Redacted:
        # NOTE: imported here: the redactors load pikepdf and PIL, ~60 ms `scan` never needs.
        from review_flow.redact import load_masks, redact

        scanner = scanner_for(self.rules_dirs)
        extracted = extract_file(path, limits)
        spans = self.spans
        if spans is None:
            report = scanner.scan(extracted, reveal=True)
            spans = tuple(
                Span(f.start, f.end, f.kind, f"#{i}", str(f.category))
                for i, f in enumerate(report.findings, start=1)
                if f.category == "personal_data" and f.end > f.start
            )
        targets = tuple(
            t for s in spans if s.end > s.start for t in _targets(extracted.text, s, path)
        )
        embedded = tuple(s.part for s in spans if s.part and s.end == s.start)
        options = replace(self.options, embedded=self.options.embedded + embedded)
        with open(path, "rb") as handle:
            data = handle.read()
        masks = load_masks(*(Path(d) for d in self.rules_dirs))
        return redact(data, path, targets, masks, options, limits, scanner)


def _targets(text: str, span: Span, path: str) -> tuple[Target, ...]:
    """The value at the span; a value cut by a line break (joined by the scanner) is masked
    piece by piece, each where it stands."""
    from review_flow.redact import Target

    value = text[span.start : span.end]
    if span.shown and not _agrees(span.shown, value):
        raise RedactionError(
            f"{Path(path).name}: finding {span.label} no longer points at its value (offsets "
            f"{span.start}-{span.end}): the file or the extractor changed since the scan",
            hint="scan the file again (revise it, or `review-flow scan --format json`)",
        )
    pieces = [p for p in value.splitlines() if p.strip()] or [value]
    return tuple(Target(p, span.kind, span.label, span.category) for p in pieces)


def _agrees(shown: str, value: str) -> bool:
    """Whether the stored masked value could be this one: its visible letters and digits
    appear in the value, in order (a joined value is stored without its separators)."""
    from review_flow.redact.masks import squeeze

    rest = iter(squeeze(value))
    return all(c in rest for c in squeeze(shown) if c.isalnum())
