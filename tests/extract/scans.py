"""Scanned 公文 built for the OCR tests and bench: a text PDF with planted items, its pages
rendered to images (a slight rotation, speckle noise), and image-only PDFs made from them.

The text version is what a scan is compared with: what the scanner finds there, OCR should
find on the images. Needs a CJK font (Debian `fonts-wqy-microhei`, installed by .ci/run).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_FILES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
FONT = "WenQuanYi"
WIDTH, HEIGHT = A4


def _register_font() -> None:
    for path in FONT_FILES:
        if path.is_file():
            pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
            return
    raise RuntimeError(
        "no CJK font to draw the scanned test pages: install Debian's fonts-wqy-microhei "
        "(.ci/run does)"
    )


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    id_number: str
    mobile: str


# NOTE: made-up people; each ID has a real province, birth date and GB 11643 check digit.
PEOPLE = (
    Person("王建国", "11010519491231002X", "13812345678"),
    Person("李秀英", "310113198503142411", "13987654321"),
    Person("张伟", "440306199001011236", "15011112222"),
    Person("刘芳", "320102197806205625", "18600001111"),
)
MARKING = "秘密★1年"
PARTY_HEAD = "中共宝山区委员会文件"
DOC_NUMBER = "宝委发〔2024〕3号"
BODY = (
    "各镇人民政府、街道办事处，区委各部门：",
    "为做好2024年度困难群众基本生活救助工作，经研究，现将有关事项通知如下。",
    "一、各单位要按照属地管理原则，逐户核实救助对象的家庭经济状况，",
    "做到应保尽保、应退尽退，并于12月20日前报送核查结果。",
    "二、核查中发现的问题，请及时与区民政局社会救助科联系。",
    "附件：拟救助对象名单",
)


def gongwen_pdf() -> bytes:
    """One A4 page of a party 公文: 密级 in the 版头, 中共…委员会文件, a table of people."""
    _register_font()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4)
    canvas.setFont(FONT, 14)
    canvas.drawString(80, HEIGHT - 70, "000123")
    canvas.drawString(80, HEIGHT - 92, MARKING)
    canvas.drawString(80, HEIGHT - 114, "特急")
    canvas.setFillColorRGB(0.85, 0.05, 0.05)
    canvas.setFont(FONT, 30)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - 175, PARTY_HEAD)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(FONT, 14)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - 215, DOC_NUMBER)
    canvas.setStrokeColorRGB(0.85, 0.05, 0.05)
    canvas.line(70, HEIGHT - 228, WIDTH - 70, HEIGHT - 228)
    canvas.setFont(FONT, 18)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - 270, "关于做好困难群众救助对象核查工作的通知")
    canvas.setFont(FONT, 13)
    y = HEIGHT - 310
    for line in BODY:
        canvas.drawString(80, y, line)
        y -= 24
    _table(canvas, y - 10)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _table(canvas: Canvas, top: float) -> None:
    columns = (80, 170, 350, 480)
    rows = [("姓名", "公民身份号码", "手机号码")] + [
        (p.name, p.id_number, p.mobile) for p in PEOPLE
    ]
    canvas.setStrokeColorRGB(0, 0, 0)
    height = 26
    for i, row in enumerate(rows):
        y = top - i * height
        canvas.line(columns[0], y, columns[-1], y)
        for x, cell in zip(columns, row, strict=False):
            canvas.drawString(x + 6, y - 18, cell)
    bottom = top - len(rows) * height
    canvas.line(columns[0], bottom, columns[-1], bottom)
    for x in columns:
        canvas.line(x, top, x, bottom)


def page_images(
    pdf: bytes, dpi: int, *, angle: float = 0.6, noise: float = 0.004, seed: int = 15
) -> list[Image.Image]:
    """Each page as a greyscale scan: rendered at `dpi`, turned by `angle` degrees, speckled."""
    rng = random.Random(seed)
    doc = pdfium.PdfDocument(pdf)
    images = []
    try:
        for index in range(len(doc)):
            page = doc[index]
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            image = image.rotate(
                angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255
            )
            images.append(_speckle(image, noise, rng).filter(ImageFilter.SMOOTH))
    finally:
        doc.close()
    return images


def _speckle(image: Image.Image, share: float, rng: random.Random) -> Image.Image:
    """Sprinkle dark and light dots over `share` of the pixels, as a flatbed scanner does."""
    pixels = image.load()
    width, height = image.size
    for _ in range(int(width * height * share)):
        x, y = rng.randrange(width), rng.randrange(height)
        pixels[x, y] = rng.choice((0, 60, 200, 255))
    return image


def image_pdf(images: list[Image.Image], dpi: int) -> bytes:
    """An image-only PDF, one page per image (Pillow's PDF writer: no text layer)."""
    buf = io.BytesIO()
    first, *rest = images
    first.save(buf, format="PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return buf.getvalue()


def scanned_gongwen(dpi: int, **options: float) -> bytes:
    """The planted 公文 as an image-only PDF scanned at `dpi`."""
    return image_pdf(page_images(gongwen_pdf(), dpi, **options), dpi)


def table_picture(people: tuple[Person, ...] = PEOPLE[:2], scale: int = 2) -> bytes:
    """A PNG photo of a small table of people, as a clerk pastes it into a .docx."""
    from PIL import ImageDraw, ImageFont

    font_file = next((p for p in FONT_FILES if p.is_file()), None)
    if font_file is None:
        _register_font()  # raises with the hint
    font = ImageFont.truetype(str(font_file), 14 * scale)
    rows = [
        ("姓名", "公民身份号码", "手机号码"),
        *((p.name, p.id_number, p.mobile) for p in people),
    ]
    columns = [10, 110, 390, 560]
    height = 34
    image = Image.new("L", (570 * scale, (len(rows) * height + 20) * scale), 255)
    draw = ImageDraw.Draw(image)
    for i, row in enumerate(rows):
        y = (10 + i * height) * scale
        draw.line([(columns[0] * scale, y), (columns[-1] * scale, y)], fill=0, width=scale)
        for x, cell in zip(columns, row, strict=False):
            draw.text(((x + 8) * scale, y + 7 * scale), cell, font=font, fill=0)
    bottom = (10 + len(rows) * height) * scale
    draw.line([(columns[0] * scale, bottom), (columns[-1] * scale, bottom)], fill=0, width=scale)
    for x in columns:
        draw.line([(x * scale, 10 * scale), (x * scale, bottom)], fill=0, width=scale)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def logo_picture() -> bytes:
    """A small round emblem: a picture OCR should skip."""
    from PIL import ImageDraw

    image = Image.new("RGB", (160, 160), "white")
    ImageDraw.Draw(image).ellipse((10, 10, 150, 150), outline=(200, 0, 0), width=8)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def docx_with_pictures(in_header: bool = False) -> bytes:
    """A .docx whose list of people is only a picture, beside a logo in the body (or, with
    `in_header`, only the picture, in the page header)."""
    from docx import Document
    from docx.shared import Cm

    document = Document()
    if in_header:
        header = document.sections[0].header.paragraphs[0]
        header.add_run().add_picture(io.BytesIO(table_picture()), width=Cm(15))
        document.add_paragraph("正文")
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()
    document.add_paragraph("关于公布拟救助对象名单的通知")
    document.add_picture(io.BytesIO(logo_picture()), width=Cm(2.5))
    document.add_paragraph("拟救助对象名单如下：")
    document.add_picture(io.BytesIO(table_picture()), width=Cm(15))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
