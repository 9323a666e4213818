"""What `review-flow scan` loads in the parent process: only what the command needs.

A fresh interpreter runs the command (the test process has imported everything already) and
names the heavy libraries it finds in sys.modules afterwards; timing is bench's business.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SAMPLES

PROBE = """
import sys
from typer.testing import CliRunner
from review_flow.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
heavy = {"jieba", "rjieba", "rich.console", "pikepdf", "pypdfium2", "PIL", "transitions", "stdnum",
         "sqlmodel", "sqlalchemy", "rapidocr_onnxruntime", "onnxruntime", "pdfplumber", "docx"}
print(result.exit_code, *sorted(heavy & set(sys.modules)))
"""


def loaded_by(*args: str) -> list[str]:
    """The exit code and the heavy modules the parent holds after `review-flow ARGS…`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=True,
    ).stdout  # fmt: skip
    return out.split()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_scanning_one_clean_file_loads_no_dictionary_redactor_or_terminal_library(fmt: str) -> None:
    # jieba loads in the worker when a document needs it; rich's console only at a terminal
    assert loaded_by("scan", "--format", fmt, str(SAMPLES / "01_clean_notice.docx")) == ["0"]


def test_one_worker_loads_the_dictionary_itself_not_the_parent() -> None:
    files = [str(SAMPLES / n) for n in ("02_secret_header.docx", "03_personal_data.docx")]
    assert loaded_by("scan", "--jobs", "1", *files) == ["1"]


def test_two_workers_share_the_dictionary_the_parent_loaded() -> None:
    files = [str(SAMPLES / n) for n in ("02_secret_header.docx", "03_personal_data.docx")]
    status, *loaded = loaded_by("scan", "--jobs", "2", *files)
    assert status == "1"
    assert {"jieba", "rjieba"} & set(loaded), loaded


def test_scanning_to_json_loads_no_scanner_in_the_parent() -> None:
    # the workers load the rules and the dictionary in parallel; the parent writes their JSON
    files = [str(SAMPLES / n) for n in ("02_secret_header.docx", "03_personal_data.docx")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    probe = (
        "import sys; from review_flow.cli.scanning import fast_scan\n"
        "status = fast_scan(sys.argv[1:])()\n"
        "print(status, *sorted(m for m in sys.modules if m.startswith(('review_flow.scan', "
        "'jieba', 'rjieba', 'typer', 'rich'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, "scan", "--format", "json", "--jobs", "2", *files],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert out.splitlines()[-1] == "1"
