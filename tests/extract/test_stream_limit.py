"""The cap on what one PDF stream may inflate (REVIEW_FLOW_LIMIT_MAX_STREAM_BYTES)."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from review_flow.errors import ExtractionError
from review_flow.extract import extract_bytes, pdf
from review_flow.extract.limits import MIB, Limits, StreamTooLarge, inflate
from tests.extract import hostile

BOMB_PEAK_MIB = 600  # issue 10: a hostile file ends within 600 MB (it peaked at 641 MiB)

# Extracts the file in this very process, no sandbox, and prints its own peak RSS in KiB.
# NOTE: the peak is VmHWM of /proc/self/status, which belongs to the process's memory map and
# starts afresh at exec; getrusage's ru_maxrss is carried over from the forking pytest worker
# (Linux keeps it across fork and exec), so it measured whatever that worker had run before.
PROBE = """
import sys
from review_flow.errors import ExtractionError
from review_flow.extract import extract_file
try:
    extract_file(sys.argv[1])
    print("read")
except ExtractionError as exc:
    print(exc)
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def peak_of_in_process_extraction(path: Path) -> tuple[str, float]:
    """(what the extraction printed, the child's peak RSS in MiB, from its own VmHWM)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
        check=True,
    )
    *printed, peak_kib = done.stdout.decode().strip().splitlines()
    return "\n".join(printed).strip(), int(peak_kib) / 1024


@pytest.mark.parametrize(
    "build",
    [hostile.flate_bomb_pdf, hostile.flate_bomb_objstm_pdf],
    ids=["content-stream", "object-stream"],
)
def test_flate_bomb_extracted_in_process_peaks_under_600_mib(build, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bomb.pdf"
    path.write_bytes(build())

    out, peak = peak_of_in_process_extraction(path)

    print(f"peak RSS {peak:.0f} MiB")
    assert out.startswith(f"{path}: a compressed stream (object ")
    assert "inflates past 64.0 MiB" in out
    assert peak < BOMB_PEAK_MIB


def test_a_genuine_pdf_with_a_large_content_stream_still_reads() -> None:
    doc = extract_bytes(hostile.text_pdf(), "genuine.pdf", Limits())

    assert doc.text.startswith("Genuine line of text")


def test_the_cap_comes_from_the_environment() -> None:
    limits = Limits.from_env({"REVIEW_FLOW_LIMIT_MAX_STREAM_BYTES": str(MIB)})
    data = hostile.flate_bomb_pdf(inflated_mib=2)

    assert Limits().max_stream_bytes == 64 * MIB
    assert extract_bytes(data, "small.pdf", Limits()).text.startswith("Flate bomb test page")
    with pytest.raises(ExtractionError, match=r"small\.pdf: a compressed stream .* 1\.0 MiB"):
        extract_bytes(data, "small.pdf", limits)


def test_inflate_stops_at_the_cap_and_reads_a_damaged_stream_up_to_the_damage() -> None:
    data = zlib.compress(b"x" * (3 * MIB))

    with pytest.raises(StreamTooLarge):
        inflate(data, 2 * MIB, keep=False)
    assert inflate(data, 3 * MIB) == (b"x" * (3 * MIB), True)
    out, complete = inflate(data[: len(data) // 2], 3 * MIB)
    assert not complete
    assert 0 < len(out) < 3 * MIB


def test_pdfminer_decoders_are_bounded_where_the_raw_check_cannot_see(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With the raw-byte check off, pdfminer's own decoding of the XMP bomb is refused."""
    monkeypatch.setattr(pdf, "check_pdf_streams", lambda path, data, limits: None)

    with pytest.raises(ExtractionError, match=r"^xmp\.pdf: a compressed stream inflates past"):
        extract_bytes(hostile.xmp_bomb_pdf(), "xmp.pdf", Limits())


def test_pdfminer_stream_decode_raises_past_the_cap() -> None:
    from pdfminer.pdftypes import PDFStream
    from pdfminer.psparser import LIT

    pdf._guard_pdfminer()
    stream = PDFStream({"Filter": LIT("FlateDecode")}, zlib.compress(b"\0" * (65 * MIB)))

    with pytest.raises(StreamTooLarge):
        stream.get_data()
