"""Benchmark: OFD extraction pages/s against PDF extraction pages/s, on the same pages.

Run with `make bench` (or `python bench/ofd.py [--pages N]`). One document of GB/T 9704 body
pages (22 lines of 28 characters, a 版头 on page 1, page numbers) is written twice in this
run: as OFD (one TextObject per line with a DeltaX per glyph, as 数科 and 书生 write them) and
as PDF (reportlab, the CJK font embedded, so pdfium reads every glyph). Each is extracted in
this process by review_flow.extract, best of N after one warm-up, the two interleaved so both
see the same load; the ratio compares figures from this run. The real OFD fixtures
(tests/fixtures/ofd) are timed too, for their own rate.
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from measure import ROOT, Row, best_of, interleaved, load_average, print_table

if TYPE_CHECKING:
    from review_flow.extract import Extracted

NS = "http://www.ofdspec.org/2016"
FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
SIZE_MM = 5.6  # 三号 (16 pt) body text
LINE_MM = 10.0
LINES, PER_LINE = 22, 28
PHRASES = (
    "根据区委区政府工作部署，", "现就做好年度审计整改工作通知如下：", "各单位要高度重视，",
    "按照先审查后公开的要求，", "落实保密审查责任，", "于十二月三十一日前报送整改情况，",
    "联系人王某，电话五六七八一二三四。", "加强统筹协调，确保各项任务按期完成。",
)  # fmt: skip


def page_lines(number: int) -> list[str]:
    """The 22 lines of page `number` (1-based): deterministic 公文 body text."""
    text = "".join(PHRASES[(number + i) % len(PHRASES)] for i in range(LINES * 4))
    lines = [text[i * PER_LINE : (i + 1) * PER_LINE] for i in range(LINES)]
    if number == 1:
        lines[:3] = ["上海市宝山区审计局文件", "宝审〔2024〕9号", "关于做好年度审计整改工作的通知"]
    lines[-1] = f"— {number} —"
    return lines


def build_ofd(pages: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.0" '
            'DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:Title>通知</ofd:Title></ofd:DocInfo>'
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        refs = "".join(
            f'<ofd:Page ID="{n}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(pages)
        )
        z.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{NS}">'
            "<ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>"
            f"</ofd:PageArea></ofd:CommonData><ofd:Pages>{refs}</ofd:Pages></ofd:Document>",
        )
        for n in range(pages):
            objects = "".join(
                f'<ofd:TextObject ID="{i + 10}" Boundary="27 {37 + i * LINE_MM} 156 8" '
                f'Font="1" Size="{SIZE_MM}"><ofd:FillColor Value="0 0 0"/><ofd:TextCode X="0" '
                f'Y="{SIZE_MM}" DeltaX="g {len(line) - 1} {SIZE_MM}">{line}</ofd:TextCode>'
                "</ofd:TextObject>"
                for i, line in enumerate(page_lines(n + 1))
            )
            z.writestr(
                f"Doc_0/Pages/Page_{n}/Content.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{NS}"><ofd:Content>'
                f'<ofd:Layer ID="2">{objects}</ofd:Layer></ofd:Content></ofd:Page>',
            )
    return buf.getvalue()


def build_pdf(pages: int) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(TTFont("WQY", str(FONT), subfontIndex=0))
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4)
    for n in range(pages):
        canvas.setFont("WQY", SIZE_MM / mm * mm * 72 / 25.4)
        for i, line in enumerate(page_lines(n + 1)):
            canvas.drawString(27 * mm, A4[1] - (37 + SIZE_MM + i * LINE_MM) * mm, line)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from review_flow.extract import Limits, extract_bytes

    ofd, pdf = build_ofd(args.pages), build_pdf(args.pages)
    limits = Limits()
    read_ofd = lambda: extract_bytes(ofd, "bench.ofd", limits)  # noqa: E731
    read_pdf = lambda: extract_bytes(pdf, "bench.pdf", limits)  # noqa: E731
    read_ofd(), read_pdf()  # warm-up: imports, pdfium
    t_ofd, t_pdf = interleaved(read_ofd, read_pdf, args.repeat, args.repeat)
    same = _body(t_ofd.result) == _body(t_pdf.result)
    ofd_rate, pdf_rate = args.pages / t_ofd.wall, args.pages / t_pdf.wall
    rows = [
        Row("OFD extraction, same pages", f"{ofd_rate:,.0f} pages/s", "", None),
        Row("PDF extraction, same pages", f"{pdf_rate:,.0f} pages/s", "", None),
        Row("OFD ÷ PDF", f"{ofd_rate / pdf_rate:.2f}×", "", None),
        Row("same body text from both", "yes" if same else "NO", "yes", same),
    ]
    fixtures = sorted((ROOT / "tests" / "fixtures" / "ofd").glob("*.ofd"))
    if fixtures:
        datas = [(p.name, p.read_bytes()) for p in fixtures]
        timing = best_of(lambda: [extract_bytes(d, n, limits).pages or 0 for n, d in datas])
        real_pages = sum(timing.result)
        rows.append(Row(f"OFD extraction, {len(datas)} real fixtures ({real_pages} pages)",
                        f"{real_pages / timing.wall:,.0f} pages/s", "", None))  # fmt: skip
    print(f"# OFD vs PDF extraction: {args.pages} pages of 22×28 characters, best of "
          f"{args.repeat}, load average {load_average()}")  # fmt: skip
    print(f"# sizes: OFD {len(ofd) / 1024:.0f} KiB, PDF {len(pdf) / 1024:.0f} KiB")
    print_table(rows)


def _body(extracted: Extracted) -> str:
    """The text of the pages, without white space (the PDF reader joins wrapped lines)."""
    pages = (extracted.text[s.start : s.end] for s in extracted.segments if s.page is not None)
    return "".join("".join(pages).split())


if __name__ == "__main__":
    main()
