"""Real documents from public repositories (../shared/corpus/real): what a correct review concludes.

expected.json gives the verdict for each file (`expect`: block, review, clear, not_block = clear
or review, error = a clear one-line error); a file in a format review-flow now reads (old binary
.doc/.wps through LibreOffice) is judged by its `content_expect`, what its content deserves.
MANIFEST.md gives its sha256, checked first so a changed file is skipped rather than judged.
The corpus is scanned and extracted once, each with one `python -m review_flow` call over every
file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from functools import cache

import pytest

from tests.conftest import CORPUS

REAL = CORPUS / "real"

pytestmark = pytest.mark.corpus

if not (REAL / "expected.json").is_file():
    pytest.skip(
        f"corpus of real documents not found at {REAL} (set REVIEW_FLOW_CORPUS to its parent)",
        allow_module_level=True,
    )

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXPECTED: dict[str, dict[str, str]] = {
    name: spec
    for name, spec in json.loads((REAL / "expected.json").read_text(encoding="utf-8")).items()
    if not name.startswith("_")
}
MANIFEST: dict[str, str] = {
    name: sha
    for sha, name in re.findall(
        r"^([0-9a-f]{64})  (\S+)$",
        (REAL / "MANIFEST.md").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
}
NAMES = sorted(EXPECTED)


def expectation(name: str) -> str:
    """What the review must conclude: the content's verdict wherever the format is read."""
    spec = EXPECTED[name]
    return spec.get("content_expect", spec["expect"])


SCANNED_PDF = "moa_farm_subsidy_opinion_scanned.pdf"
HEADER_MARKING = "peer_secret_master_template.docx"
WPS_OOXML = "wps_oa_gongwen_sample.wps"


@cache
def unverified_reason(name: str) -> str:
    """Why `name` cannot be judged (missing, unlisted, changed); "" when it is the listed file."""
    path = REAL / name
    if not path.is_file():
        return f"{name} is listed in expected.json but missing from {REAL}"
    if name not in MANIFEST:
        return f"{name} has no sha256 in MANIFEST.md"
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != MANIFEST[name]:
        return f"{name} changed: sha256 {actual[:12]}… is not {MANIFEST[name][:12]}… (MANIFEST.md)"
    return ""


def verified(name: str) -> str:
    reason = unverified_reason(name)
    if reason:
        pytest.skip(reason)
    return name


def is_ole(name: str) -> bool:
    return (REAL / name).read_bytes()[:8] == OLE_MAGIC


VERIFIED = [n for n in NAMES if not unverified_reason(n)]
OLE = [n for n in NAMES if (REAL / n).is_file() and is_ole(n)]


# NOTE: OCR reads the first OCR_PAGES scanned page(s) of a file here (~5 s of CPU a page), the
# rest stay unreadable with the reason; both runs share one OCR cache. bench/ocr.py reads the
# whole scanned file.
OCR_PAGES = 1


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {
        **os.environ,
        "REVIEW_FLOW_OCR_CACHE": str(tmp_path_factory.mktemp("ocr-cache")),
        "REVIEW_FLOW_LIMIT_MAX_OCR_PAGES": str(OCR_PAGES),
    }


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m review_flow ARGS…` run in the corpus directory, so paths are bare names."""
    return subprocess.run(
        [sys.executable, "-m", "review_flow", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REAL,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def scan_run(cli_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_cli(cli_env, "scan", *VERIFIED, "--format", "json")


@pytest.fixture(scope="module")
def scans(scan_run: subprocess.CompletedProcess[str]) -> dict[str, dict]:
    assert "Traceback" not in scan_run.stderr, scan_run.stderr
    return {d["path"]: d for d in json.loads(scan_run.stdout)["documents"]}


@pytest.fixture(scope="module")
def extracts(cli_env: dict[str, str], scan_run: object) -> dict[str, dict]:
    outcome = run_cli(cli_env, "extract", *VERIFIED, "--format", "json")
    assert "Traceback" not in outcome.stderr, outcome.stderr
    return {d["path"]: d for d in json.loads(outcome.stdout)["documents"]}


def test_every_expected_file_is_in_the_manifest() -> None:
    assert [n for n in NAMES if n not in MANIFEST] == []


@pytest.mark.parametrize("name", NAMES)
def test_scan_concludes_what_expected_json_says(name: str, scans: dict[str, dict]) -> None:
    doc = scans[verified(name)]
    expect, why = expectation(name), EXPECTED[name].get("why", "")

    if expect == "error":
        assert doc["error"], f"{name}: expected a clear error ({why})"
        assert doc["error"].startswith(f"{name}: ")
        assert doc["verdict"] != "clear"
        return
    assert doc["error"] is None, doc["error"]
    if expect == "not_block":
        assert doc["verdict"] in ("clear", "review"), (doc["reasons"], why)
    else:
        assert doc["verdict"] == expect, (doc["reasons"], why)


def test_corpus_scan_exits_2_with_one_error_line_per_unreadable_file(
    scan_run: subprocess.CompletedProcess[str],
) -> None:
    errors = [ln for ln in scan_run.stderr.splitlines() if not ln.startswith("  hint: ")]
    failing = [n for n in VERIFIED if expectation(n) == "error"]

    assert scan_run.returncode == (2 if failing else 1)
    assert [re.sub(r"^review-flow: error: (\S+): .*$", r"\1", ln) for ln in errors] == failing


def test_scanned_pdf_is_read_by_ocr_and_the_pages_left_say_why(
    scans: dict[str, dict], extracts: dict[str, dict]
) -> None:
    name = verified(SCANNED_PDF)
    doc = extracts[name]
    read = list(range(1, OCR_PAGES + 1))

    assert doc["pages"] == 8
    assert [o["page"] for o in doc["ocr"]] == read
    assert all(o["confidence"] > 0.9 and not o["doubt"] for o in doc["ocr"])
    assert doc["text"].startswith("农业农村部办公厅关于加力推进农机购置")  # the title, read
    assert "经商财政部，现提出以下意见" in doc["text"]
    left = [u for u in doc["unreadable_pages"] if u["page"] not in read]
    assert [u["page"] for u in left] == list(range(OCR_PAGES + 1, 9))
    assert all("over the OCR limit" in u["reason"] for u in left)
    assert scans[name]["unreadable_pages"] == list(range(OCR_PAGES + 1, 9))
    assert scans[name]["verdict"] == "review"
    (ocr,) = [f for f in scans[name]["findings"] if f["rule"] == "unreadable.ocr"]
    assert "read by OCR" in ocr["message"]
    assert "confidence" in ocr["message"]


def test_marking_in_the_page_header_is_extracted_with_where_header(
    scans: dict[str, dict], extracts: dict[str, dict]
) -> None:
    name = verified(HEADER_MARKING)
    doc = extracts[name]

    at = doc["text"].find("机密★5年")
    assert at >= 0, doc["text"][:200]
    (seg,) = [s for s in doc["segments"] if s["start"] <= at < s["end"]]
    assert (seg["where"], seg["part"]) == ("header", "word/header1.xml")
    markings = [f for f in scans[name]["findings"] if f["rule"] == "state_secret.marking"]
    assert (at, "header", "block") in {(f["start"], f["where"], f["severity"]) for f in markings}


def test_ooxml_saved_as_wps_is_sniffed_as_docx(extracts: dict[str, dict]) -> None:
    doc = extracts[verified(WPS_OOXML)]

    assert doc["error"] is None
    assert doc["format"] == "docx"


@pytest.mark.parametrize("name", NAMES)
def test_every_file_extracts_without_error(name: str, extracts: dict[str, dict]) -> None:
    doc = extracts[verified(name)]

    assert doc["error"] is None
    assert doc["text"].strip()


@pytest.mark.parametrize("name", OLE)
def test_old_binary_files_are_read_through_libreoffice_and_keep_their_format(
    name: str, extracts: dict[str, dict]
) -> None:
    doc = extracts[verified(name)]

    assert doc["format"] == name.rsplit(".", 1)[1]  # doc or wps: all of these hold Word text
    assert any(re.match(r"converted from \.(doc|wps) to \.docx by LibreOffice \d", n)
               for n in doc["notes"]), doc["notes"]  # fmt: skip


def test_discipline_committee_head_in_a_text_box_of_a_doc_is_read(
    extracts: dict[str, dict],
) -> None:
    """catdoc's main text misses the organ name (MANIFEST.md): it sits in a text box."""
    doc = extracts[verified("cmcc_nanning_discipline_upward_redhead.doc")]

    at = doc["text"].find("纪律检查委员会文件")
    assert at >= 0
    (seg,) = [s for s in doc["segments"] if s["start"] <= at < s["end"]]
    assert seg["where"] == "textbox"
