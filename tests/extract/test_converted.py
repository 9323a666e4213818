"""Old binary, WPS, RTF and ODF documents read through LibreOffice: sniffing, what each channel
looks like after LibreOffice saved a document in that format, and the refusals.

LibreOffice itself saves the test documents (built as .docx/.xlsx with a marker in every
channel) as .doc/.rtf/.odt and .xls/.ods, once per module; review-flow then reads them back.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from review_flow.errors import ExtractionError
from review_flow.extract import Extracted, Limits, Where, extract_bytes, office, sniff
from tests.extract import legacy

ROOT = Path(__file__).resolve().parents[2]
TEXT_FORMATS = ("docx", "doc", "rtf", "odt")
SHEET_FORMATS = ("xlsx", "xls", "ods")
TEXT_WHERE = {
    "body": Where.BODY,
    "header": Where.HEADER,
    "comment": Where.COMMENT,
    "inserted": Where.INSERTED,
    "deleted": Where.DELETED,
    "hidden": Where.HIDDEN,
    "textbox": Where.TEXTBOX,
    "title": Where.PROPERTY,
    "author": Where.PROPERTY,
    "last_modified_by": Where.PROPERTY,
    "revision_author": Where.PROPERTY,
    "comment_author": Where.PROPERTY,
}
# What LibreOffice 7.4 loses when it writes a document as RTF and reads it back (measured; the
# README's Formats section says the same). Every other channel survives, in every format.
LOST = {
    "rtf": {
        "textbox",  # the VML text box is not written
        "author",  # {\author} is replaced by the last editor
        "comment_author",  # a non-ASCII comment author becomes "??"
    },
}
SHEET_WHERE = {
    "cell": Where.TABLE,
    "hidden_row": Where.HIDDEN,
    "hidden_column": Where.HIDDEN,
    "comment": Where.COMMENT,
    "hidden_sheet": Where.HIDDEN,
    "header": Where.HEADER,
}


@pytest.fixture(scope="module")
def saved() -> dict[str, bytes]:
    """The channel documents as LibreOffice saves them in each format (one conversion each)."""
    text, sheet = legacy.channel_docx(), legacy.channel_xlsx()
    files = {"docx": text, "xlsx": sheet}
    for fmt in TEXT_FORMATS[1:]:
        files[fmt] = office.convert(text, "channels.docx", ".docx", fmt, Limits()).data
    for fmt in SHEET_FORMATS[1:]:
        files[fmt] = office.convert(sheet, "channels.xlsx", ".xlsx", fmt, Limits()).data
    return files


@pytest.fixture(scope="module")
def read(saved: dict[str, bytes]) -> dict[str, Extracted]:
    return {fmt: extract_bytes(data, f"channels.{fmt}", Limits()) for fmt, data in saved.items()}


def where_of(extracted: Extracted, needle: str) -> Where | None:
    at = extracted.text.find(needle)
    if at < 0:
        return None
    segment = extracted.segment_at(at)
    assert segment is not None
    return segment.where


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("channel", sorted(TEXT_WHERE))
def test_text_channel_after_libreoffice_saved_the_document(
    fmt: str, channel: str, read: dict[str, Extracted]
) -> None:
    found = where_of(read[fmt], legacy.TEXT_CHANNELS[channel])

    if channel in LOST.get(fmt, set()):
        assert found is None, f"{channel} now survives .{fmt}: update LOST and the README"
    else:
        assert found == TEXT_WHERE[channel]


@pytest.mark.parametrize("fmt", SHEET_FORMATS)
@pytest.mark.parametrize("channel", sorted(SHEET_WHERE))
def test_spreadsheet_channel_after_libreoffice_saved_the_workbook(
    fmt: str, channel: str, read: dict[str, Extracted]
) -> None:
    assert where_of(read[fmt], legacy.SHEET_CHANNELS[channel]) == SHEET_WHERE[channel]


def test_hidden_sheet_is_named_and_marked_hidden(read: dict[str, Extracted]) -> None:
    assert where_of(read["xls"], "工作表：内部表") == Where.HIDDEN
    assert where_of(read["xls"], "工作表：公开表") == Where.TABLE


@pytest.mark.parametrize("fmt", ["doc", "rtf", "odt", "xls", "ods"])
def test_converted_result_keeps_the_original_format_and_says_how_it_was_read(
    fmt: str, read: dict[str, Extracted]
) -> None:
    extracted = read[fmt]

    assert extracted.format == fmt
    assert any(note.startswith(f"converted from .{fmt} to .") for note in extracted.notes)
    assert any(re.search(r" by LibreOffice \d+\.\d+", note) for note in extracted.notes)


@pytest.mark.parametrize(
    ("fmt", "name", "want"),
    [
        ("doc", "通知.doc", "doc"),
        ("doc", "通知.wps", "wps"),  # WPS writes Word's binary format under .wps
        ("doc", "通知.wpt", "wpt"),
        ("doc", "通知.docx", "doc"),  # the bytes decide, the suffix only names the variant
        ("doc", "通知", "doc"),
        ("rtf", "通知.doc", "rtf"),
        ("odt", "通知.docx", "odt"),
        ("docx", "通知.doc", "docx"),
        ("xls", "表.xls", "xls"),
        ("xls", "表.et", "et"),
        ("xls", "表.doc", "xls"),
        ("ods", "表.xls", "ods"),
        ("xlsx", "表.et", "xlsx"),
    ],
)
def test_format_is_sniffed_from_the_bytes(
    fmt: str, name: str, want: str, saved: dict[str, bytes]
) -> None:
    assert sniff(saved[fmt], name) == want


def test_password_protected_doc_is_refused_before_conversion(saved: dict[str, bytes]) -> None:
    with pytest.raises(ExtractionError, match=r"password-protected \(encrypted\) \.doc"):
        extract_bytes(legacy.encrypted_doc(saved["doc"]), "加密.doc", Limits())


def test_macros_in_a_doc_are_reported_although_the_conversion_drops_them(
    saved: dict[str, bytes],
) -> None:
    extracted = extract_bytes(legacy.with_macro_storage(saved["doc"]), "宏.doc", Limits())

    assert [(a.kind, a.where) for a in extracted.active_content] == [("macro", "Macros")]
    assert legacy.TEXT_CHANNELS["body"] in extracted.text


def new_network_namespace() -> None:
    """What the kernel allows this user: a network namespace, directly or in a user namespace
    (written here, apart from office.py, so that the probe does not test the code under test)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x40000000) != 0:  # CLONE_NEWNET
        libc.unshare(0x10000000 | 0x40000000)  # CLONE_NEWUSER | CLONE_NEWNET


def test_libreoffice_runs_in_a_network_namespace_of_its_own(saved: dict[str, bytes]) -> None:
    """The instance that converted the module's documents has no network (where the kernel
    lets this user make a namespace: a refused namespace is this machine's limit, not a bug)."""
    probe = subprocess.run(
        ["readlink", "/proc/self/ns/net"], capture_output=True, text=True, check=True,
        preexec_fn=new_network_namespace,
    )  # fmt: skip
    if probe.stdout.strip() == os.readlink("/proc/self/ns/net"):
        pytest.skip("this kernel does not let this user create a network namespace")
    instance = office.office_for("channels.docx", Limits())
    if instance.server is None or instance.server.poll() is not None:
        instance.start("channels.docx")
    assert instance.server is not None

    assert os.readlink(f"/proc/{instance.server.pid}/ns/net") != os.readlink("/proc/self/ns/net")


# -- the command line: refusals, a missing or misbehaving LibreOffice, nothing left behind ----
def run_cli(tmp: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m review_flow ARGS…` with its own TMPDIR, so leftovers can be seen."""
    return subprocess.run(
        [sys.executable, "-m", "review_flow", *args],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp / "tmp"), **env},
    )  # fmt: skip


def errors_of(outcome: subprocess.CompletedProcess[str]) -> list[str]:
    return [ln for ln in outcome.stderr.splitlines() if ln.startswith("review-flow: error: ")]


def processes_mentioning(text: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if text.encode() in handle.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "tmp").mkdir()
    return tmp_path


def test_batch_of_good_and_hostile_doc_files_gives_one_line_each_and_leaves_nothing(
    workdir: Path, saved: dict[str, bytes]
) -> None:
    files = {
        "good.doc": saved["doc"],
        "garbled.doc": legacy.garbled_doc(saved["doc"]),
        "locked.doc": legacy.encrypted_doc(saved["doc"]),
        "noise.doc": saved["doc"][:8] + bytes(4088),
        "big.doc": saved["doc"].ljust(64 * 1024, b"\x00"),
    }
    for name, data in files.items():
        (workdir / name).write_bytes(data)

    outcome = run_cli(
        workdir, "extract", *files, "--format", "json", "--jobs", "1",
        REVIEW_FLOW_LIMIT_MAX_FILE_BYTES=str(60 * 1024),
    )  # fmt: skip

    assert outcome.returncode == 2, outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert errors_of(outcome) == [
        "review-flow: error: garbled.doc: LibreOffice could not read it (corrupt, "
        "password-protected or not a document of this kind)",
        "review-flow: error: locked.doc: password-protected (encrypted) .doc file: it cannot be "
        "read",
        "review-flow: error: noise.doc: corrupt OLE compound file (sector shift 0): not a "
        "readable .doc/.wps/.xls",
        "review-flow: error: big.doc: file is 64.0 KiB, over the 60.0 KiB limit",
    ]
    good = json.loads(outcome.stdout)["documents"][0]
    assert good["format"] == "doc"
    assert legacy.TEXT_CHANNELS["body"] in good["text"]
    assert list((workdir / "tmp").iterdir()) == []  # profile, copies and conversions are gone
    assert processes_mentioning(str(workdir)) == []  # and so is LibreOffice


def test_missing_libreoffice_is_one_line_with_the_package_to_install(
    workdir: Path, saved: dict[str, bytes]
) -> None:
    (workdir / "通知.doc").write_bytes(saved["doc"])

    outcome = run_cli(workdir, "scan", "通知.doc", REVIEW_FLOW_SOFFICE="no-such-soffice")

    assert outcome.returncode == 2
    assert errors_of(outcome) == [
        "review-flow: error: 通知.doc: LibreOffice (no-such-soffice) is not installed"
    ]
    assert "libreoffice-writer-nogui" in outcome.stderr
    assert list((workdir / "tmp").iterdir()) == []


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("hang", "LibreOffice did not finish converting it within 2 s (hostile or broken file?)"),
        ("crash", "LibreOffice crashed converting it (hostile file?)"),
        ("broken", "LibreOffice did not start (exit 1)"),
    ],
)
def test_a_hung_crashed_or_broken_libreoffice_is_one_line_and_is_stopped(
    mode: str, reason: str, workdir: Path, saved: dict[str, bytes]
) -> None:
    fake = legacy.fake_soffice(workdir / "bin", mode)
    (workdir / "通知.doc").write_bytes(saved["doc"])

    outcome = run_cli(
        workdir, "extract", "通知.doc", REVIEW_FLOW_SOFFICE=str(fake),
        REVIEW_FLOW_LIMIT_CPU_SECONDS="2",
    )  # fmt: skip

    assert outcome.returncode == 2
    assert errors_of(outcome) == [f"review-flow: error: 通知.doc: {reason}"]
    instance = workdir / "bin" / "instance.pid"
    if instance.exists():  # the stand-in instance was started, and has been stopped
        assert not Path(f"/proc/{instance.read_text().strip()}").exists()
    assert list((workdir / "tmp").iterdir()) == []
