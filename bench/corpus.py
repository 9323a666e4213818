"""Builds the benchmark corpus under bench/out/: synthetic 公文 as .docx, .pdf and plain text.

The text comes from tests/scan/labelled.py (seeded), so the same VERSION gives the same corpus;
a corpus whose manifest carries another version is rebuilt. Nothing here is timed.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import random
import shutil
import sys
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
VERSION = "corpus-v1"  # bump when anything below changes what is written
SEED = 9704
DOCX_FILES, PDF_FILES = 60, 60
DOCX_DOCS_PER_FILE = (25, 65)  # labelled 公文 per .docx (about 13k-34k characters)
PDF_DOCS_PER_FILE = (4, 14)  # per .pdf: pdfplumber reads ~50 pages/s, so the PDFs are a subset
TABLE_ROWS_DOCX, TABLE_ROWS_PDF = 20, 12
PAGE_CHARS = 700  # a .docx "page" is 700 characters of the text written into it
PDF_LINE_CHARS, PDF_PAGE_LINES = 30, 25

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))


@dataclass(frozen=True, slots=True)
class CorpusFile:
    """One generated file: its path, the characters written into it and its page count."""

    path: str
    chars: int
    pages: float  # .docx: chars / PAGE_CHARS; .pdf: real pages


@dataclass(frozen=True, slots=True)
class Corpus:
    version: str
    docx: tuple[CorpusFile, ...]
    pdf: tuple[CorpusFile, ...]
    text: tuple[CorpusFile, ...]  # the .docx bodies as UTF-8 .txt files
    documents: str  # JSON list of every labelled 公文 in the .docx files, one string each

    def documents_list(self) -> list[str]:
        return json.loads(Path(self.documents).read_text(encoding="utf-8"))


def load_or_build(log: Callable[[str], object] = print) -> Corpus:
    """The corpus for VERSION, generated on first use and reused afterwards."""
    base = OUT / VERSION
    manifest = base / "manifest.json"
    if manifest.is_file():
        raw = json.loads(manifest.read_text(encoding="utf-8"))
        if raw.get("version") == VERSION:
            return _from_json(raw)
    if base.exists():
        shutil.rmtree(base)
    log(f"generating {VERSION} under {base.relative_to(ROOT)} (first run only) ...")
    corpus = _build(base)
    manifest.write_text(json.dumps(_to_json(corpus), ensure_ascii=False, indent=1), "utf-8")
    return corpus


def _to_json(corpus: Corpus) -> dict[str, Any]:
    """Paths relative to the repository, so a moved checkout keeps its corpus."""
    data = asdict(corpus)
    for key in ("docx", "pdf", "text"):
        for f in data[key]:
            f["path"] = str(Path(f["path"]).relative_to(ROOT))
    data["documents"] = str(Path(data["documents"]).relative_to(ROOT))
    return data


def _from_json(raw: dict[str, Any]) -> Corpus:
    def files(key: str) -> tuple[CorpusFile, ...]:
        return tuple(CorpusFile(**{**f, "path": str(ROOT / f["path"])}) for f in raw[key])

    documents = str(ROOT / raw["documents"])
    return Corpus(str(raw["version"]), files("docx"), files("pdf"), files("text"), documents)


def _build(base: Path) -> Corpus:
    from tests.scan.labelled import generate

    for sub in ("docx", "pdf", "text"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    docx_sizes = [rng.randint(*DOCX_DOCS_PER_FILE) for _ in range(DOCX_FILES)]
    pdf_sizes = [rng.randint(*PDF_DOCS_PER_FILE) for _ in range(PDF_FILES)]
    texts = [d.text for d in generate(sum(docx_sizes) + sum(pdf_sizes), SEED)]
    docx_files, text_files, pos = [], [], 0
    for i, size in enumerate(docx_sizes):
        group, pos = texts[pos : pos + size], pos + size
        rows = people(rng, TABLE_ROWS_DOCX)
        docx_files.append(write_docx(base / "docx" / f"doc{i:02d}.docx", group, rows, i))
        body = "\n".join(group)
        txt = base / "text" / f"doc{i:02d}.txt"
        txt.write_bytes(body.encode("utf-8"))
        text_files.append(CorpusFile(str(txt), len(body), len(body) / PAGE_CHARS))
    documents = base / "text" / "documents.json"
    documents.write_text(json.dumps(texts[:pos], ensure_ascii=False), "utf-8")
    pdf_files = []
    for i, size in enumerate(pdf_sizes):
        group, pos = texts[pos : pos + size], pos + size
        rows = people(rng, TABLE_ROWS_PDF)
        pdf_files.append(write_pdf(base / "pdf" / f"doc{i:02d}.pdf", group, rows, i))
    return Corpus(VERSION, tuple(docx_files), tuple(pdf_files), tuple(text_files), str(documents))


# -- table rows: invented people with valid check digits ---------------------------------------
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "秀英", "建国", "志强", "海燕", "晓东"]
AREAS = ["310113", "310115", "310101", "320102", "330106", "370102"]
ROADS = ["友谊路", "牡丹江路", "淞滨路", "同济路", "泰和路", "共和新路"]
COLUMNS = ("序号", "姓名", "身份证号", "手机号", "家庭住址", "补贴金额（元）")


def people(rng: random.Random, count: int) -> list[tuple[str, ...]]:
    from make_samples import cn_id  # samples/, put on sys.path above

    rows: list[tuple[str, ...]] = []
    for n in range(1, count + 1):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(50 * 365))
        rows.append(
            (
                str(n),
                rng.choice(SURNAMES) + rng.choice(GIVEN),
                cn_id(rng.choice(AREAS), f"{birth:%Y%m%d}", f"{rng.randrange(1000):03d}"),
                rng.choice(["138", "139", "158", "186"]) + f"{rng.randrange(10**8):08d}",
                f"上海市宝山区{rng.choice(ROADS)}{rng.randint(1, 999)}弄{rng.randint(1, 60)}号"
                f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}室",
                str(rng.choice([3000, 5000, 8000])),
            )
        )
    return rows


# -- .docx -------------------------------------------------------------------------------------
def write_docx(path: Path, group: list[str], rows: list[tuple[str, ...]], index: int) -> CorpusFile:
    """Body paragraphs in 公文 fonts (one run per sentence), a personal-data table, a header."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from make_samples import (  # samples/, put on sys.path above
        ORG_PT,
        RED,
        TITLE_PT,
        XIAOBIAOSONG,
        add_para,
        new_document,
    )

    created = dt.datetime(2024, 1, 1, 9, 0, 0) + dt.timedelta(days=index)
    doc = new_document(f"基准测试文档{index:02d}", "宝山区政务公开办公室", created)
    header_text = "内部资料　注意保存" if index % 5 == 0 else f"宝山区政务公开　第{index + 1}期"
    doc.sections[0].header.paragraphs[0].text = header_text
    # NOTE: python-docx's formatting setters cost ~0.5 ms a paragraph; each style is built once
    # with samples/make_samples.py's add_para and copied as XML, which gives the same markup.
    centre = WD_ALIGN_PARAGRAPH.CENTER
    styles = {
        "org": add_para(doc, "x", font=XIAOBIAOSONG, size=ORG_PT, color=RED, align=centre),
        "title": add_para(doc, "x", font=XIAOBIAOSONG, size=TITLE_PT, align=centre),
        "indent": add_para(doc, "x", indent=True),
        "plain": add_para(doc, "x"),
        "blank": add_para(doc),
    }
    templates = {name: para._p for name, para in styles.items()}
    body = doc.element.body
    sect = body[-1]  # new paragraphs go before the final w:sectPr
    for p in templates.values():
        body.remove(p)
    chars = len(header_text)
    for text in group:
        for line in text.split("\n"):
            chars += len(line)
            if not line:
                kind = "blank"
            elif line.endswith("文件") and len(line) < 30:  # 发文机关标志
                kind = "org"
            elif line.startswith("关于") or line.endswith(("通知", "意见", "方案", "报告")):
                kind = "title"
            else:
                kind = "indent" if line.startswith("　") else "plain"
            sect.addprevious(_paragraph(templates[kind], line, split=kind in ("indent", "plain")))
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    chars += sum(len(c) for c in COLUMNS) + sum(len(c) for row in rows for c in row)
    buf = io.BytesIO()
    doc.save(buf)
    path.write_bytes(_fixed_zip(buf.getvalue()))
    return CorpusFile(str(path), chars, chars / PAGE_CHARS)


def _paragraph(template: Any, line: str, split: bool) -> Any:
    """A copy of `template` holding `line`, one run per sentence when `split` (as Word does)."""
    p = copy.deepcopy(template)
    runs = p.r_lst
    if not runs:
        return p
    first = runs[0]
    pieces = [s + "。" for s in line.split("。")] if split else [line]
    pieces[-1] = pieces[-1][:-1] if split else pieces[-1]
    pieces = [s for s in pieces if s] or [""]
    first.text = pieces[0]  # CT_R.text turns \t into <w:tab/>, as Word writes it
    anchor = first
    for piece in pieces[1:]:
        run = copy.deepcopy(first)
        run.text = piece
        anchor.addnext(run)
        anchor = run
    return p


def _fixed_zip(data: bytes) -> bytes:
    """Fixed entry timestamps, so a corpus version always has the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 3, 15, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info))
    return out.getvalue()


# -- .pdf --------------------------------------------------------------------------------------
def wrap(line: str, width: int = PDF_LINE_CHARS) -> list[str]:
    """Break a line after `width` full-width characters (ASCII counts half)."""
    out, current, used = [], "", 0.0
    for ch in line:
        w = 0.5 if ord(ch) < 128 else 1.0
        if used + w > width:
            out.append(current)
            current, used = "", 0.0
        current += ch
        used += w
    return [*out, current] if current else out or [""]


def write_pdf(path: Path, group: list[str], rows: list[tuple[str, ...]], index: int) -> CorpusFile:
    """A4, STSong-Light 14.5 pt, ~30 characters a line, 25 lines a page, then a ruled table."""
    from reportlab.lib.colors import Color
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font, size, leading = "STSong-Light", 14.5, 25.0
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setTitle(f"基准测试文档{index:02d}")
    c.setAuthor("宝山区政务公开办公室")
    width, height = A4
    left, right, top = 28 * mm, width - 26 * mm, height - 37 * mm
    state = {"page": 1, "line": 0}

    def footer_and_next() -> None:
        c.setFont(font, 12)
        c.setFillColor(Color(0, 0, 0))
        c.drawCentredString(width / 2, 20 * mm, f"— {state['page']} —")
        c.showPage()
        state["page"] += 1
        state["line"] = 0

    def y_of_line() -> float:
        if state["line"] >= PDF_PAGE_LINES:
            footer_and_next()
        y = top - size - state["line"] * leading
        state["line"] += 1
        return y

    chars = 0
    for text in group:
        for line in text.split("\n"):
            chars += len(line)
            is_org = line.endswith("文件") and len(line) < 30
            for piece in wrap(line):
                y = y_of_line()
                c.setFont(font, size)
                c.setFillColor(Color(0.9, 0, 0.07) if is_org else Color(0, 0, 0))
                if is_org:
                    c.drawCentredString(width / 2, y, piece)
                else:
                    c.drawString(left, y, piece)
    xs = [left, left + 35, left + 95, left + 215, left + 320, right]
    for row in [COLUMNS, *rows]:
        y = y_of_line()
        c.setFont(font, 10)
        c.setFillColor(Color(0, 0, 0))
        cells = row[:4] + row[5:]  # no address column: it would not fit an A4 row
        for x, cell in zip(xs, cells, strict=False):
            c.drawString(x + 3, y, cell)
            chars += len(cell)
        c.line(left, y - 7, right, y - 7)
        for x in xs:
            c.line(x, y - 7, x, y + leading - 7)
    footer_and_next()
    c.save()
    return CorpusFile(str(path), chars, float(state["page"] - 1))
