"""A .docx with personal data planted in every channel, redacted: no planted value left in any
zip entry, each channel masked or removed and listed, paragraphs, tables and pages kept."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from docx import Document

from review_flow.errors import RedactionError
from review_flow.extract import Limits, extract_bytes
from review_flow.redact import Options, Redacted, Target, load_masks, redact
from review_flow.scan.rules import default_rules_dir
from review_flow.tasks import RedactTask, Span
from tests.conftest import SAMPLES
from tests.redact.planted import EMBEDDED, PLANTS, left_in, planted_docx
from tests.redact.planted import with_embedded_object as embedded

VALUES = [p.value for p in PLANTS]
TARGETS = tuple(Target(p.value, p.kind, p.channel) for p in PLANTS)
MASKS = load_masks()
NOWHERE = Target("13000000000", "mobile", "a value no file here holds")


@pytest.fixture(scope="module")
def planted() -> bytes:
    return planted_docx()


@pytest.fixture(scope="module")
def redacted(planted: bytes) -> Redacted:
    return redact(planted, "名单.docx", TARGETS, MASKS)


def part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name).decode("utf-8")


def names(data: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return set(z.namelist())


def test_the_planted_file_holds_every_value(planted: bytes) -> None:
    assert set(left_in(planted, VALUES)) == set(VALUES)  # (the test below means something)


def test_no_planted_value_is_left_in_any_zip_entry(redacted: Redacted) -> None:
    assert left_in(redacted.data, VALUES) == {}


def test_no_planted_value_is_left_in_the_extracted_text(redacted: Redacted) -> None:
    text = extract_bytes(redacted.data, "x.docx", Limits()).text
    assert [v for v in VALUES if v in text] == []


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("word/header1.xml", "139****0002"),
        ("word/footer1.xml", "139****0003"),
        ("word/footnotes.xml", "经办人手机139****0011"),
        ("word/document.xml", "说明：联系电话139****0008"),  # the text box
        ("word/document.xml", 'HYPERLINK "mailto:o*****.*******@example.com"'),  # the field
        ("word/document.xml", "申请人欧***，身份证号3101**********1010"),
        ("word/document.xml", "联系电话139****0005"),  # the insertion, accepted
        ("word/document.xml", "１３９****００１０"),
    ],
)
def test_each_kept_channel_is_masked_in_place(redacted: Redacted, name: str, masked: str) -> None:
    flat = re.sub(r"<[^>]*>", "", part(redacted.data, name))
    assert masked in flat


def test_a_value_split_across_runs_is_masked_in_its_runs(redacted: Redacted) -> None:
    doc = Document(io.BytesIO(redacted.data))
    split = next(p for p in doc.paragraphs if p.text.startswith("另一申请人"))
    assert [r.text for r in split.runs] == [
        "另一申请人身份证号",
        "3101*",
        "******",
        "***1029",
        "。",
    ]
    assert [r.bold for r in split.runs][1:4] == [True, False, True]


def test_revisions_comments_hidden_text_and_custom_xml_are_gone(redacted: Redacted) -> None:
    body = part(redacted.data, "word/document.xml")
    for tag in ("w:del ", "w:delText", "w:ins ", "w:vanish", "w:commentReference", "w:customXml"):
        assert f"<{tag}" not in body, tag
    held = names(redacted.data)
    assert not any(n.startswith(("customXml/", "word/comments")) for n in held)
    assert {"docProps/custom.xml", "word/orphan.xml", "docProps/thumbnail.jpeg"}.isdisjoint(held)
    assert "comments" not in part(redacted.data, "[Content_Types].xml")


def test_the_removal_report_lists_each_item(redacted: Redacted) -> None:
    removed = {(r.what, r.where, r.detail) for r in redacted.removals}
    whats = {r.what for r in redacted.removals}
    assert {"comment", "tracked_deletion", "tracked_insertion_accepted", "hidden_text",
            "custom_xml", "unreferenced_part", "comment_part"} <= whats  # fmt: skip
    assert ("property", "docProps/core.xml", "creator") in removed
    assert ("property", "docProps/core.xml", "lastModifiedBy") in removed
    assert ("property", "docProps/custom.xml", "") in removed
    assert ("unreferenced_part", "word/orphan.xml", "") in removed
    shown = [s for m in redacted.masked for s in m.shown]
    assert shown
    assert not [v for v in VALUES if any(v in s for s in shown)]


def test_paragraphs_and_tables_are_kept(planted: bytes, redacted: Redacted) -> None:
    before, after = Document(io.BytesIO(planted)), Document(io.BytesIO(redacted.data))
    assert len(after.paragraphs) == len(before.paragraphs)
    assert len(after.tables) == len(before.tables) == 1
    count = part(planted, "word/document.xml").count("<w:p>")
    assert part(redacted.data, "word/document.xml").count("<w:p>") == count


def test_an_embedded_object_is_removed_only_when_a_finding_confirms_it(planted: bytes) -> None:
    data = embedded(planted, b"OLE payload")
    kept = redact(data, "a.docx", TARGETS, MASKS)
    assert EMBEDDED in names(kept.data)
    removed = redact(data, "a.docx", TARGETS, MASKS, Options(embedded=(EMBEDDED,)))
    assert EMBEDDED not in names(removed.data)
    assert "oleObject1" not in part(removed.data, "word/_rels/document.xml.rels")
    assert "o:OLEObject" not in part(removed.data, "word/document.xml")
    assert ("embedded_object", EMBEDDED) in {(r.what, r.where) for r in removed.removals}


@pytest.fixture(scope="module")
def pages(planted: bytes, redacted: Redacted, tmp_path_factory: pytest.TempPathFactory):
    """Page counts by LibreOffice: the planted file and its redaction; the 03 sample redacted
    from its own scan, and the same sample cleaned without masks (a value it does not hold).

    NOTE: LibreOffice shows tracked deletions as struck-through text, and 03 holds a deleted
    paragraph that its page 2 consists of: dropping deletions removes that page, as accepting
    them in Word does. The masks themselves must not move a page.
    """
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is required: .ci/run installs it")
    folder = tmp_path_factory.mktemp("pages")
    sample = SAMPLES / "03_personal_data.docx"
    own_scan = RedactTask((str(default_rules_dir()),), None, Options())
    files = {
        "planted": planted, "planted-r": redacted.data, "sample": sample.read_bytes(),
        "sample-r": own_scan(str(sample), Limits()).data,
        "sample-clean": redact(sample.read_bytes(), "03.docx", (NOWHERE,), MASKS).data,
    }  # fmt: skip
    for name, data in files.items():
        (folder / f"{name}.docx").write_bytes(data)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder),
         *(str(folder / f"{n}.docx") for n in files)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return {n: len(pdfium.PdfDocument(Path(folder / f"{n}.pdf"))) for n in files}


def test_libreoffice_renders_the_same_number_of_pages(pages: dict[str, int]) -> None:
    assert pages["planted"] >= 2
    assert pages["planted-r"] == pages["planted"]
    assert pages["sample-r"] == pages["sample-clean"]


def test_a_confirmed_embedded_object_finding_removes_its_part(
    planted: bytes, tmp_path: Path
) -> None:
    source = tmp_path / "a.docx"
    source.write_bytes(embedded(planted, b"OLE payload"))
    spans = (
        Span(0, 0, "ole_object", "finding 3", "active_content", part=EMBEDDED),
        Span(0, 0, "ole_object", "finding 4", "active_content", part="word/media/absent.bin"),
    )
    task = RedactTask((str(default_rules_dir()),), spans, Options())
    out = task(str(source), Limits())
    assert EMBEDDED not in names(out.data)
    assert out.mask_count == 0


def test_a_finding_that_no_longer_points_at_its_value_is_refused(
    planted: bytes, tmp_path: Path
) -> None:
    source = tmp_path / "a.docx"
    source.write_bytes(planted)
    text = extract_bytes(planted, "a.docx", Limits()).text
    at = text.index("13912340001")
    right = Span(at, at + 11, "mobile", "finding 1", shown="139****0001")
    wrong = Span(at + 1, at + 12, "mobile", "finding 2", shown="139****0001")
    task = RedactTask((str(default_rules_dir()),), (right,), Options())
    assert task(str(source), Limits()).mask_count >= 1
    with pytest.raises(RedactionError, match="finding 2 no longer points at its value"):
        RedactTask((str(default_rules_dir()),), (wrong,), Options())(str(source), Limits())
