"""Hostile, broken and unsupported files: the real CLI refuses each with one clear line.

Each case writes a file to tmp_path and runs `python -m review_flow extract` on it in a child
process, then checks the exit status, the single error line and its reason, the wall time and
the peak memory of the command and its sandbox workers.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.extract import hostile

WALL_SECONDS = 20  # per command; the slowest case (the CPU-limit one) takes ~2-3 s
PEAK_MIB = 400  # the command plus its workers; a plain run peaks near 45 MiB
KILL_AFTER = 90  # a hung command is killed, so a regression fails instead of hanging
STDOUT_KEPT = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Outcome:
    returncode: int
    stdout: str  # the first MiB; `stdout_bytes` is the full size
    stdout_bytes: int
    stderr: str
    seconds: float
    peak_mib: float


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


# NOTE: Linux carries a process's peak RSS across fork and exec: a command started straight
# from a pytest worker that has loaded jieba reports the worker's peak, not its own. A small
# fresh Python starts the command and reports the peak of that command and its workers.
MEASURE = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def _peak_kib(path: str, fallback: int) -> int:
    try:
        text = Path(path).read_text()
    finally:
        Path(path).unlink(missing_ok=True)
    return int(text) if text else fallback


def run_cli(*args: str | Path, env: Mapping[str, str] | None = None) -> Outcome:
    """Run `review-flow extract ARGS…`; peak memory covers the command and its workers.

    NOTE: os.wait4 returns the child's own rusage, whose ru_maxrss (KiB on Linux) is the max
    over the child and every descendant it waited for: here the sandbox's pool workers. The
    child gets its own session so a timeout can kill the workers too.
    """
    peak_file = tempfile.NamedTemporaryFile(suffix=".peak", delete=False)  # noqa: SIM115
    peak_file.close()
    command = [
        sys.executable, "-c", MEASURE, peak_file.name,
        sys.executable, "-m", "review_flow", "extract", *map(str, args),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=err,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        timer = threading.Timer(KILL_AFTER, _kill_group, (proc.pid,))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        size = out.tell()
        out.seek(0)
        err.seek(0)
        outcome = Outcome(
            returncode=proc.returncode,
            stdout=out.read(STDOUT_KEPT).decode("utf-8", "replace"),
            stdout_bytes=size,
            stderr=err.read().decode("utf-8", "replace"),
            seconds=seconds,
            peak_mib=_peak_kib(peak_file.name, usage.ru_maxrss) / 1024,
        )
    print(f"[{Path(str(args[-1])).name}] {seconds:.2f} s, peak {outcome.peak_mib:.0f} MiB")
    return outcome


def error_reasons(outcome: Outcome) -> dict[str, str]:
    """{path: reason} from stderr, which holds only error lines, each with an optional hint."""
    assert "Traceback" not in outcome.stderr, outcome.stderr
    reasons: dict[str, str] = {}
    previous = ""
    for line in outcome.stderr.splitlines():
        if line.startswith("  hint: "):
            assert previous.startswith("review-flow: error: "), outcome.stderr
        else:
            match = re.fullmatch(r"review-flow: error: (.+?): (.+)", line)
            assert match, f"not an error line: {line!r}\n{outcome.stderr}"
            path, reason = match.groups()
            assert path not in reasons, f"two error lines for {path}"
            reasons[path] = reason
        previous = line
    return reasons


def assert_refused(outcome: Outcome, path: Path, reason: str) -> None:
    """Exit 2, one error line (plus a hint) naming `path`, a reason matching `reason`."""
    reasons = error_reasons(outcome)
    assert list(reasons) == [str(path)], outcome.stderr
    assert re.search(reason, reasons[str(path)], re.IGNORECASE), reasons[str(path)]
    assert outcome.returncode == 2
    assert outcome.stdout_bytes == 0, outcome.stdout[:300]
    assert outcome.seconds < WALL_SECONDS
    assert outcome.peak_mib < PEAK_MIB


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    build: Callable[[], bytes]
    reason: str  # a regex the reason must contain (case-insensitive)
    env: dict[str, str] = field(default_factory=dict)
    xfail: str = ""


STREAM_CAP = r"^a compressed stream \(object \d+\) inflates past 64\.0 MiB"

CASES = [
    Case("empty-docx", "empty.docx", hostile.empty, r"empty"),
    Case("empty-pdf", "empty.pdf", hostile.empty, r"empty"),
    Case("truncated-docx", "truncated.docx", hostile.truncated_docx, r"corrupt|truncated"),
    Case("truncated-pdf", "truncated.pdf", hostile.truncated_pdf, r"corrupt|truncated|damaged"),
    Case("random-bytes-pdf", "noise.pdf", hostile.random_bytes, r"not a \.pdf document"),
    Case("random-bytes-docx", "noise.docx", hostile.random_bytes, r"unsupported|not a"),
    Case("ole-doc", "old.doc", hostile.ole_doc, r"corrupt OLE compound file"),
    Case("ofd", "公文.ofd", hostile.ofd_zip, r"OFD"),
    Case("not-text", "garbled.txt", hostile.not_text, r"not a text file"),
    Case("encrypted-pdf", "locked.pdf", hostile.encrypted_pdf, r"encrypted|password"),
    Case("zip-bomb", "bomb.docx", hostile.zip_bomb_docx, r"zip bomb|expands"),
    Case(
        "zip-bomb-spread-over-parts",
        "spread.docx",
        hostile.spread_bomb_docx,
        r"zip bomb|expands|inflates",
    ),
    Case("too-many-entries", "many.docx", hostile.many_entries_docx, r"entries"),
    Case("unsafe-name", "evil.docx", hostile.unsafe_name_docx, r"unsafe"),
    Case("duplicate-entry", "twice.docx", hostile.duplicate_entry_docx, r"duplicate"),
    Case(
        "bad-crc",
        "crc.docx",
        hostile.bad_crc_docx,
        r"corrupt|damaged|CRC",
    ),
    Case(
        "damaged-deflate",
        "deflate.docx",
        hostile.damaged_deflate_docx,
        r"corrupt|damaged",
    ),
    Case(
        "unknown-compression",
        "method99.docx",
        hostile.unknown_method_docx,
        r"compression|not supported|corrupt",
    ),
    Case("xxe", "xxe.docx", hostile.xxe_docx, r"DTD|entit"),
    Case(
        "xxe-utf16",
        "xxe16.docx",
        lambda: hostile.xxe_docx("utf-16"),
        r"DTD|entit",
    ),
    Case("billion-laughs", "laughs.docx", hostile.billion_laughs_docx, r"DTD|entit"),
    Case(
        "billion-laughs-utf16",
        "laughs16.docx",
        lambda: hostile.billion_laughs_docx("utf-16"),
        r"DTD|entit",
    ),
    Case("malformed-xml", "malformed.docx", hostile.malformed_docx, r"not well-formed"),
    Case("flate-bomb-pdf", "bomb.pdf", hostile.flate_bomb_pdf, STREAM_CAP),
    Case(
        "flate-bomb-pdf-operators",
        "ops.pdf",
        lambda: hostile.flate_bomb_pdf(filler=b"q Q "),
        STREAM_CAP,
    ),
    Case(
        "flate-bomb-pdf-twice-deflated",
        "twice.pdf",
        lambda: hostile.flate_bomb_pdf(layers=2),
        STREAM_CAP,
    ),
    Case("flate-bomb-pdf-form", "form.pdf", hostile.flate_bomb_xobject_pdf, STREAM_CAP),
    Case(
        "flate-bomb-pdf-image",
        "image.pdf",
        lambda: hostile.flate_bomb_xobject_pdf(subtype=b"/Image"),
        STREAM_CAP,
    ),
    Case("flate-bomb-pdf-object-stream", "objstm.pdf", hostile.flate_bomb_objstm_pdf, STREAM_CAP),
    *(
        Case(
            f"flate-bomb-pdf-{disguise}",
            f"{disguise}.pdf",
            functools.partial(hostile.flate_bomb_disguised_pdf, disguise),
            STREAM_CAP,
        )
        for disguise in ("short-length", "hex", "escaped-name", "indirect-filter")
    ),
    Case("flate-bomb-pdf-xmp", "xmp.pdf", hostile.xmp_bomb_pdf, STREAM_CAP),
    Case(
        "runlength-bomb-pdf",
        "rl.pdf",
        hostile.runlength_bomb_pdf,
        r"inflates past 1\.0 MiB",
        env={"REVIEW_FLOW_LIMIT_MAX_STREAM_BYTES": str(hostile.MIB)},
    ),
    Case(
        "over-size-limit",
        "big.docx",
        hostile.oversized_docx,
        r"\bover\b",
        env={"REVIEW_FLOW_LIMIT_MAX_FILE_BYTES": "1000"},
    ),
]


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=case.name,
            marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [],
        )
        for case in CASES
    ],
)
def test_hostile_file_is_refused_with_one_line(case: Case, tmp_path: Path) -> None:
    path = tmp_path / case.filename
    path.write_bytes(case.build())
    assert_refused(run_cli(path, env=case.env), path, case.reason)


def test_batch_prints_good_files_and_one_line_per_bad_file(tmp_path: Path) -> None:
    good = tmp_path / "good.docx"
    good.write_bytes(hostile.good_docx(hostile.GOOD_TEXT))
    bad = tmp_path / "truncated.docx"
    bad.write_bytes(hostile.truncated_docx())
    plain = tmp_path / "notice.txt"
    plain.write_bytes("宝审〔2024〕9号\n（此件公开发布）\n".encode("gb18030"))

    outcome = run_cli(good, bad, plain)

    assert outcome.returncode == 2
    assert list(error_reasons(outcome)) == [str(bad)]
    assert f"==> {good} <==\n{hostile.GOOD_TEXT[0]}\n" in outcome.stdout
    assert hostile.GOOD_TEXT[-1] in outcome.stdout
    assert f"==> {plain} <==\n宝审〔2024〕9号\n（此件公开发布）" in outcome.stdout
    assert f"==> {bad} <==" not in outcome.stdout


def test_batch_goes_on_after_an_unexpected_reader_exception(tmp_path: Path) -> None:
    first, damaged, last = tmp_path / "a.docx", tmp_path / "crc.docx", tmp_path / "z.docx"
    first.write_bytes(hostile.good_docx(["第一份"]))
    damaged.write_bytes(hostile.bad_crc_docx())
    last.write_bytes(hostile.good_docx(["最后一份"]))

    outcome = run_cli(first, damaged, last)

    assert list(error_reasons(outcome)) == [str(damaged)]
    assert outcome.returncode == 2
    assert f"==> {last} <==\n最后一份\n" in outcome.stdout


def test_batch_json_reports_each_error_in_place(tmp_path: Path) -> None:
    bad = tmp_path / "bomb.docx"
    bad.write_bytes(hostile.zip_bomb_docx(inflated_mib=20))
    good = tmp_path / "good.docx"
    good.write_bytes(hostile.good_docx(hostile.GOOD_TEXT))

    outcome = run_cli("--format", "json", bad, good)

    assert outcome.returncode == 2
    reasons = error_reasons(outcome)
    assert list(reasons) == [str(bad)]
    first, second = json.loads(outcome.stdout)["documents"]
    assert first == {"path": str(bad), "error": reasons[str(bad)]}
    assert second["path"] == str(good)
    assert second["error"] is None
    assert second["format"] == "docx"
    assert second["text"].startswith(hostile.GOOD_TEXT[0])
    assert second["segments"][0] == {
        "where": "body",
        "start": 0,
        "end": len(hostile.GOOD_TEXT[0]),
        "container": "body",
        "part": "word/document.xml",
    }


def test_batch_goes_on_after_a_pdf_flate_bomb(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(hostile.flate_bomb_pdf())
    good = tmp_path / "good.pdf"
    good.write_bytes(hostile.good_pdf(pages=1))

    outcome = run_cli(bomb, good)

    assert outcome.returncode == 2
    assert list(error_reasons(outcome)) == [str(bomb)]
    assert "hint: raise REVIEW_FLOW_LIMIT_MAX_STREAM_BYTES" in outcome.stderr
    assert f"==> {good} <==\nPage 1 line 0: plain test text." in outcome.stdout
    assert outcome.peak_mib < PEAK_MIB
