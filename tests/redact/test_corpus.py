"""Real documents (../shared/corpus/real) redacted from their own scan, as file mode does: the
leftover check passes, and the layout is kept (paragraphs of a .docx, pages of a PDF)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from docx import Document

from review_flow.extract import Limits, extract_bytes
from review_flow.redact import Options, PdfMode
from review_flow.scan.rules import default_rules_dir
from review_flow.tasks import RedactTask
from tests.conftest import CORPUS

REAL = CORPUS / "real"
pytestmark = pytest.mark.corpus

if not (REAL / "expected.json").is_file():
    pytest.skip(f"corpus of real documents not found at {REAL}", allow_module_level=True)

# A GB/T 9704 layout sample, the annual report template, and a published PDF whose author is
# a person (glyph mode writes the pages into a new file without it).
FILES = ["gbt9704_layout_sample.docx", "xxgk_annual_template.docx", "hongze_2024_xxgk_annual.pdf"]


@pytest.mark.parametrize("name", FILES)
def test_a_real_document_redacts_cleanly_and_keeps_its_layout(name: str) -> None:
    path = REAL / name
    if not path.is_file():
        pytest.fail(f"{name} is listed in the corpus manifest but missing")
    task = RedactTask((str(default_rules_dir()),), None, Options(pdf_mode=PdfMode.GLYPHS))
    out = task(str(path), Limits())  # the leftover check and the re-scan run inside
    before = path.read_bytes()
    if name.endswith(".docx"):
        paragraphs = [len(Document(io.BytesIO(d)).paragraphs) for d in (before, out.data)]
        assert paragraphs[0] == paragraphs[1]
    else:
        assert len(pdfium.PdfDocument(out.data)) == len(pdfium.PdfDocument(before))
        assert "作者" not in extract_bytes(out.data, "out.pdf", Limits()).text
