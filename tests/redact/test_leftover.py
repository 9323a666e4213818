"""The leftover check fails a redaction that leaves a value anywhere, naming the place, and
nothing is written: a copy left in a comment, a value broken over two paragraphs, text in a
PDF form object in glyph mode, in the API and in the command line's file mode."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from reportlab.pdfgen.canvas import Canvas
from typer.testing import CliRunner

from review_flow.cli import app
from review_flow.cli.support import EXIT_REDACTION
from review_flow.errors import RedactionError
from review_flow.extract import Limits, extract_bytes
from review_flow.redact import Options, PdfMode, Target, load_masks, redact
from review_flow.redact import docx as docx_redaction
from tests.dbkit import Bench
from tests.desk import Desk, warm_scanner
from tests.extract.pdf_fixtures import CJK_FONT, build, lines
from tests.redact.planted import PLANTS, left_in, planted_docx

MOBILE = "13912340004"
TARGET = Target(MOBILE, "mobile", "finding 7")
VALUES = [p.value for p in PLANTS]


@pytest.fixture(scope="module")
def warm() -> None:
    """The scanner loaded once here: the sandbox workers of the CLI runs fork from it."""
    warm_scanner()


def commented(comment_paragraphs: list[str]) -> bytes:
    doc = Document()
    body = doc.add_paragraph(f"申请人手机{MOBILE}。")
    comment = doc.add_comment(body.runs, text=comment_paragraphs[0], author="审核人")
    for text in comment_paragraphs[1:]:
        comment.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_copy_left_in_a_comment_fails_the_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    data = commented([f"核对电话{MOBILE}"])
    real = docx_redaction._Package.mask

    def mask_all_but_comments(self: docx_redaction._Package, finder: object) -> None:
        comments = {n: self.xml(n) for n in self.live()[1:] if "comments" in n}
        saved = {n: bytes(self.raw[n]) for n in comments}
        real(self, finder)  # type: ignore[arg-type]
        for name, raw in saved.items():  # the comment's copy, as if masking had missed it
            self.trees.pop(name)
            self.raw[name] = raw

    monkeypatch.setattr(docx_redaction._Package, "mask", mask_all_but_comments)
    with pytest.raises(RedactionError) as info:
        redact(data, "a.docx", [TARGET], load_masks(), Options(comments=False))
    assert info.value.place == "word/comments.xml"
    assert MOBILE not in str(info.value)
    assert "139****0004" in str(info.value)


def test_a_value_broken_over_two_paragraphs_of_a_kept_comment_is_caught() -> None:
    data = commented(["核对电话139123", "40004，已联系"])
    with pytest.raises(RedactionError, match="leftover") as info:
        redact(data, "a.docx", [TARGET], load_masks(), Options(comments=False))
    assert info.value.place.startswith("word/comments.xml")


def test_the_same_comment_is_removed_by_default() -> None:
    data = commented(["核对电话139123", "40004，已联系"])
    out = redact(data, "a.docx", [TARGET], load_masks())
    with zipfile.ZipFile(io.BytesIO(out.data)) as z:
        assert not [n for n in z.namelist() if "comments" in n]


@pytest.fixture(scope="module")
def form_pdf() -> bytes:
    """A PDF whose value sits inside a form XObject (glyph mode removes page-level text only),
    with a person's name as its author."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.setAuthor("王小明")
    canvas.setFont(CJK_FONT, 12)
    canvas.drawString(72, 760, "公示名单：申请人王小明")
    canvas.beginForm("box")
    canvas.setFont(CJK_FONT, 12)
    canvas.drawString(72, 740, "申请人手机13912340001")
    canvas.endForm()
    canvas.doForm("box")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_text_in_a_form_object_fails_glyph_mode_and_passes_image_mode(form_pdf: bytes) -> None:
    targets = [Target("王小明", "name", "finding 1"), Target("13912340001", "mobile", "f 2")]
    with pytest.raises(RedactionError, match="leftover") as info:
        redact(form_pdf, "a.pdf", targets, load_masks(), Options(pdf_mode=PdfMode.GLYPHS))
    assert "page" in info.value.place
    assert "--pdf-mode image" in info.value.hint
    image = redact(form_pdf, "a.pdf", targets, load_masks(), Options(pdf_mode=PdfMode.IMAGE))
    assert "13912340001" not in extract_bytes(image.data, "b.pdf", Limits()).text


def test_glyph_mode_leaves_the_document_information_behind() -> None:
    data = build(lines("公示名单", "申请人王小明，联系电话13912340001"), author="王小明")
    targets = [Target("王小明", "name", "finding 1"), Target("13912340001", "mobile", "f 2")]
    out = redact(data, "a.pdf", targets, load_masks(), Options(pdf_mode=PdfMode.GLYPHS))
    text = extract_bytes(out.data, "b.pdf", Limits()).text
    assert "王小明" not in text
    assert "作者" not in text  # no document information at all
    assert "公示名单" in text  # the line without a value is still text
    assert "document_level" in {r.what for r in out.removals}


def test_file_mode_writes_nothing_when_a_value_is_left(
    form_pdf: bytes, tmp_path: Path, warm: None
) -> None:
    source, out = tmp_path / "名单.pdf", tmp_path / "名单-脱敏.pdf"
    source.write_bytes(form_pdf)
    result = CliRunner().invoke(app, ["redact", str(source), "--out", str(out)])
    assert result.exit_code == EXIT_REDACTION, result.output
    assert result.stderr.startswith("review-flow: error: leftover")
    assert "王小明" not in result.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["名单.pdf"]  # no temporary file either
    again = CliRunner().invoke(
        app, ["redact", str(source), "--out", str(out), "--pdf-mode", "image"]
    )
    assert again.exit_code == 0, again.output
    assert out.exists()


def test_file_mode_takes_the_findings_of_a_scan(tmp_path: Path, warm: None) -> None:
    desk = Desk(
        Bench("sqlite:///" + str(tmp_path / "unused.db"), tmp_path), tmp_path
    )  # no database
    source, report, out = tmp_path / "a.docx", tmp_path / "scan.json", tmp_path / "b.docx"
    source.write_bytes(planted_docx(filler_paragraphs=0))
    code, scanned, _ = desk.run("scan", str(source), "--format", "json")
    assert code == 1
    report.write_text(scanned, encoding="utf-8")
    desk.ok("redact", str(source), "--out", str(out), "--findings-from", str(report))
    assert left_in(out.read_bytes(), VALUES) == {}
    other = tmp_path / "c.docx"
    other.write_bytes(planted_docx(filler_paragraphs=1))
    code, _, err = desk.run("redact", str(other), "--out", str(out), "--findings-from", str(report))
    assert code == 2
    assert "sha256 differs" in err


def test_file_mode_follows_a_site_rules_dir(tmp_path: Path, warm: None) -> None:
    site = tmp_path / "site-rules"
    site.mkdir()
    (site / "redaction.toml").write_text(
        'version = 1\n[[mask]]\nkind = "name"\nexamples = [["王小明", "***"]]\n', encoding="utf-8"
    )
    source, out = tmp_path / "a.docx", tmp_path / "b.docx"
    source.write_bytes(planted_docx(filler_paragraphs=0))
    result = CliRunner().invoke(
        app, ["redact", str(source), "--out", str(out), "--rules", str(site)]
    )
    assert result.exit_code == 0, result.output
    text = extract_bytes(out.read_bytes(), "b.docx", Limits()).text
    assert "申请人****，" in text  # 欧阳明月, every character masked by the site's rule
    assert "3101**********1010" in text  # the shipped id_card mask still applies
