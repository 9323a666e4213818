"""Benchmark: redaction (脱敏) of a 20-page .docx, in seconds (target: well under 1 s).

The document is a 公示 list built here with python-docx: a table of 姓名, 身份证号, 手机号,
家庭住址 rows, a header and footer holding a contact mobile, a comment, a tracked deletion and
hidden text. Its page count is LibreOffice's (`soffice --convert-to pdf`, when installed). The
values to mask come from the scanner (every personal-data finding, as file mode takes them).

Figures, best of 5 after one warm-up (time.perf_counter; CPU time beside it as a cross-check):
(a) `redact()` with its leftover check over every zip entry and the re-extracted text, but no
    re-scan; (b) the same with the re-scan (what `review-flow redact` runs, jieba loaded once);
    (c) that re-scan alone, the scanner's own cost on a list of ~1,900 personal values.
Run alone: `python bench/redact.py`; prints a table, exits 0.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from measure import Row, best_of, load_average, print_table

TARGET_SECONDS = 1.0
ROWS = 470  # 20 A4 pages (LibreOffice) in a four-column table


def id_number(n: int) -> str:
    body = f"31011319800101{n:03d}"[:17]
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def build() -> bytes:
    from docx import Document
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "联系人手机13900001111"
    doc.sections[0].footer.paragraphs[0].text = "经办人手机13900002222"
    doc.add_heading("关于2024年创业补贴拟发放名单的公示", level=1)
    intro = doc.add_paragraph("根据有关规定，经审核，下列人员符合补贴申领条件，现予以公示。")
    doc.add_comment(intro.runs, text="请核对申请人手机13900003333", author="审核人")
    intro._p.append(parse_xml(
        f'<w:del {w} w:id="1" w:author="张三" w:date="2024-03-01T00:00:00Z"><w:r>'
        f"<w:delText>身份证号{id_number(999)}</w:delText></w:r></w:del>"
    ))  # fmt: skip
    doc.add_paragraph().add_run(f"身份证号{id_number(998)}").font.hidden = True
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("姓名", "身份证号", "手机号", "家庭住址"),
                          strict=True):  # fmt: skip
        cell.text = text
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    for n in range(ROWS):
        name = surnames[n % 20] + "小明晓华建国丽娟"[n % 7] + "伟芳娜敏静"[n % 5]
        cells = table.add_row().cells
        values = (name, id_number(n), f"139{n:08d}", f"上海市宝山区友谊路{n + 1}弄{n % 9 + 1}号")
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    doc.add_paragraph("公示期间如有异议，请以书面形式向区就业促进中心反映。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pages(data: bytes) -> str:
    if shutil.which("soffice") is None:
        return "? (no LibreOffice)"
    import pypdfium2 as pdfium

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "list.docx"
        src.write_bytes(data)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp,
                        str(src)], check=True, capture_output=True, timeout=300)  # fmt: skip
        return str(len(pdfium.PdfDocument(Path(tmp) / "list.pdf")))


def main() -> None:
    from review_flow.extract import Limits, extract_bytes
    from review_flow.redact import Target, load_masks, redact
    from review_flow.scan import Scanner
    from review_flow.scan.rules import default_rules_dir

    data = build()
    scanner = Scanner.from_dirs(default_rules_dir())
    report = scanner.scan(extract_bytes(data, "list.docx", Limits()), reveal=True)
    text = extract_bytes(data, "list.docx", Limits()).text
    targets = [
        Target(text[f.start : f.end], f.kind, f"#{i}")
        for i, f in enumerate(report.findings)
        if str(f.category) == "personal_data" and f.end > f.start
    ]
    masks = load_masks()
    redact(data, "list.docx", targets, masks, scanner=scanner)  # warm-up (jieba, regexes)
    plain = best_of(lambda: redact(data, "list.docx", targets, masks), repeat=5)
    full = best_of(lambda: redact(data, "list.docx", targets, masks, scanner=scanner), repeat=5)
    output = extract_bytes(plain.result.data, "out.docx", Limits())
    scan = best_of(lambda: scanner.scan(output, reveal=True), repeat=5)
    rows = [
        Row("# redaction of a 20-page .docx (bench/redact.py)", ""),
        Row("pages (LibreOffice) / KiB", f"{pages(data)} / {len(data) // 1024}"),
        Row("values masked (findings)", f"{plain.result.mask_count} ({len(targets)})"),
        Row("redact + leftover check, s", f"{plain.wall:.3f} (cpu {plain.cpu:.3f})",
            f"< {TARGET_SECONDS:.1f}", plain.wall < TARGET_SECONDS),
        Row("… with the re-scan, s", f"{full.wall:.3f} (cpu {full.cpu:.3f})",
            f"< {TARGET_SECONDS:.1f}", full.wall < TARGET_SECONDS),
        Row("(the scan alone of the redacted file), s", f"{scan.wall:.3f} (cpu {scan.cpu:.3f})"),
        Row("load average", load_average()),
    ]  # fmt: skip
    print_table(rows)


if __name__ == "__main__":
    main()
