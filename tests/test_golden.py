"""Scanner output for each samples/ file, compared with tests/golden/<sample>.json.

The golden file is the masked `review-flow scan --format json` report of one sample with `path`
cut to the bare file name, findings ordered by (page, start, rule id), sorted keys,
`ensure_ascii=False`, indent 1. After an intended scanner change run `pytest --update-golden`
and review the diff like code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review_flow.cli import app
from tests.conftest import GOLDEN, SAMPLE_FILES

SAMPLE_NAMES = [p.name for p in SAMPLE_FILES]


def golden_name(sample: str) -> str:
    return f"{sample}.json"


def golden_text(document: dict) -> str:
    findings = sorted(
        document["findings"], key=lambda f: (f.get("page") or 0, f["start"], f["rule"])
    )
    normal = {**document, "path": Path(document["path"]).name, "findings": findings}
    return json.dumps(normal, sort_keys=True, ensure_ascii=False, indent=1) + "\n"


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    """One masked scan of every sample, by file name."""
    result = CliRunner().invoke(app, ["scan", *map(str, SAMPLE_FILES), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    documents = json.loads(result.stdout)["documents"]
    return {Path(d["path"]).name: d for d in documents}


@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_scan_report_matches_the_golden_file(sample: str, reports: dict[str, dict], golden):
    golden(golden_name(sample), golden_text(reports[sample]))


def test_every_golden_file_has_its_sample() -> None:
    stale = sorted(
        p.name for p in GOLDEN.glob("*.json") if p.name[: -len(".json")] not in SAMPLE_NAMES
    )
    assert stale == [], "golden files for samples that no longer exist"
