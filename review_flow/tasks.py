"""Top-level functions the sandbox runs in its workers (they must be importable by name)."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

from review_flow.errors import ExtractionError
from review_flow.extract import Extracted, Limits
from review_flow.extract import extract_file as _extract_file
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
    scanner = _SCANNER.get(rules_dirs)
    if scanner is None:
        scanner = Scanner.from_dirs(*(Path(d) for d in rules_dirs))
        _SCANNER[rules_dirs] = scanner
    assert isinstance(scanner, Scanner)
    return scanner


def ready_scanner(rules_dirs: tuple[str, ...], files: int) -> Scanner:
    """The parent's Scanner, made before any worker forks: rules loaded and checked once, and
    with more than one file the jieba dictionary too, so forked workers share it instead of
    each loading its own (~0.3 s of CPU per worker)."""
    scanner = scanner_for(rules_dirs)
    if files > 1:
        scanner.segmenter.load()
        # NOTE: moves what is loaded so far out of the collector's reach: a worker's garbage
        # collections then no longer touch (and copy-on-write) the parent's objects, such as
        # the jieba dictionary.
        gc.freeze()
    return scanner


@dataclass(frozen=True, slots=True)
class ScanTask:
    """Extract and scan one file in a sandbox worker (picklable: only plain fields)."""

    rules_dirs: tuple[str, ...]
    reveal: bool

    def __call__(self, path: str, limits: Limits) -> ScanReport:
        return scanner_for(self.rules_dirs).scan(extract_file(path, limits), reveal=self.reveal)
