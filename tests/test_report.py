"""The scan output: plain text is what rich writes without colours, JSON streams one document
at a time, and both print each report as it is added."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from review_flow.batch import VERDICTS, JsonOutput, Written
from review_flow.report import CATEGORY_LABEL, TextOutput, expand_tabs
from review_flow.scan.model import Category, Finding, ScanReport, Severity, Verdict

# Characters that make rich change a line (markup, escapes, emoji codes, tabs, control codes),
# wide and zero-width characters that move tab stops, and ordinary 公文 text.
TRICKY = "[]\\:/ \t\r\n\x07\x1b\u200b\u3000#@aZ9·、：，（）〔〕机密王明"
text = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(), max_size=40)
findings = st.builds(
    Finding,
    rule=st.sampled_from(["id.card", "secret.mark"]),
    category=st.sampled_from(list(Category)),
    kind=st.just("pattern"),
    severity=st.sampled_from(list(Severity)),
    start=st.just(0),
    end=st.just(1),
    where=st.sampled_from(["body", "header"]),
    excerpt=text,
    message=text,
    value=text,
    page=st.none() | st.integers(1, 9),
)
reports = st.builds(
    ScanReport,
    path=text,
    sha256=st.just("0" * 64),
    verdict=st.sampled_from(list(Verdict)),
    findings=st.lists(findings, max_size=4).map(tuple),
    error=st.none() | text,
    unreadable_pages=st.lists(st.integers(1, 99), max_size=2).map(tuple),
    contact_points=st.lists(findings, max_size=2).map(tuple),
)


def test_every_category_has_a_label() -> None:
    # an OCR-read document's `unreadable` finding once crashed the text output (KeyError)
    assert set(CATEGORY_LABEL) == set(Category)


def rich_text(batch: list[ScanReport]) -> str:
    buffer = io.StringIO()
    output = TextOutput(Console(file=buffer, highlight=False, soft_wrap=True))
    for report in batch:
        output.add(report)
    output.close()
    return buffer.getvalue()


def plain_text(batch: list[ScanReport]) -> str:
    buffer = io.StringIO()
    output = TextOutput(out=buffer)
    for report in batch:
        output.add(report)
    output.close()
    return buffer.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.lists(reports, max_size=3))
def test_plain_text_is_what_rich_writes_without_colours(batch: list[ScanReport]) -> None:
    assert plain_text(batch) == rich_text(batch)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("\tab 机密王·\u200b\u3000"), max_size=30))
def test_tabs_expand_to_rich_tab_stops(line: str) -> None:
    buffer = io.StringIO()
    Console(file=buffer, highlight=False, soft_wrap=True).print(line, markup=False, emoji=False)
    assert expand_tabs(line) + "\n" == buffer.getvalue()


@settings(max_examples=100, deadline=None)
@given(st.lists(reports, max_size=3), st.lists(text, max_size=2))
def test_json_streamed_is_one_json_dumps_of_the_batch(
    batch: list[ScanReport], skipped: list[str]
) -> None:
    buffer = io.StringIO()
    output = JsonOutput(buffer, skipped)
    for report in batch:
        output.add(report)
    output.close()
    read = [r for r in batch if r.error is None]
    summary = {
        "files": len(batch),
        **{str(v): sum(r.verdict is v for r in read) for v in Verdict},
        "unreadable_files": len(batch) - len(read),
        "with_unreadable_pages": sum(bool(r.unreadable_pages) for r in read),
        "skipped": skipped,
    }
    whole = {"documents": [r.to_json() for r in batch], "summary": summary}
    assert buffer.getvalue() == json.dumps(whole, ensure_ascii=False, indent=1) + "\n"


@settings(max_examples=50, deadline=None)
@given(st.lists(reports, max_size=3), st.lists(text, max_size=2))
def test_json_of_reports_written_by_the_workers_is_the_same(
    batch: list[ScanReport], skipped: list[str]
) -> None:
    direct, handed = io.StringIO(), io.StringIO()
    for out, convert in ((direct, lambda r: r), (handed, Written.of)):
        output = JsonOutput(out, skipped)
        for report in batch:
            output.add(convert(report))
        output.close()
    assert handed.getvalue() == direct.getvalue()


def test_the_batch_counts_every_verdict_in_its_order() -> None:
    # the parent writing JSON counts verdicts without importing the scanner
    assert tuple(map(str, Verdict)) == VERDICTS


@pytest.mark.parametrize("make", [lambda out: TextOutput(out=out), JsonOutput])
def test_each_report_is_written_when_added_not_at_the_end(make) -> None:
    buffer = io.StringIO()
    output = make(buffer)
    output.add(ScanReport("a.docx", "0" * 64, Verdict.CLEAR))
    seen = buffer.getvalue()
    output.add(ScanReport("b.docx", "0" * 64, Verdict.BLOCK))
    assert "a.docx" in seen
    assert "b.docx" not in seen
    output.close()
    assert buffer.getvalue().index("a.docx") < buffer.getvalue().index("b.docx")
