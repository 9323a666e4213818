"""The red-team's PDFs (issue 14), built in memory: hidden text, revisions, attachments, actions.

Pages come from reportlab (tests/extract/pdf_fixtures.py); what reportlab cannot write (an
incremental update, an orphan object, a hidden layer, annotations with an appearance, actions,
attached files) is added with pikepdf or appended as raw bytes.
"""

from __future__ import annotations

import io
import re

import pikepdf
from reportlab.pdfgen.canvas import Canvas

from tests.extract import pdf_fixtures as fx

ID_BODY = "33010619851214789"
ID_NUMBER = ID_BODY + fx.id_check_char(ID_BODY)
MARKING = "机密★5年"
PUBLIC = "关于做好年度政务公开工作的通知"


def page_with(draw_hidden: fx.Draw) -> bytes:
    """One page: a public line on top, then whatever `draw_hidden` draws."""
    return fx.build(fx.both(fx.lines(PUBLIC, "各单位：请认真贯彻落实。"), draw_hidden))


def white_text(canvas: Canvas) -> None:
    canvas.setFillColorRGB(1, 1, 1)
    canvas.drawString(72, 700, f"身份证号{ID_NUMBER}")


def white_marking(canvas: Canvas) -> None:
    canvas.setFillColorRGB(1, 1, 1)
    canvas.drawString(72, 800, MARKING)


def tiny_text(canvas: Canvas) -> None:
    canvas.setFont(fx.CJK_FONT, 0.3)
    canvas.drawString(72, 700, f"身份证号{ID_NUMBER}")


def clipped_text(canvas: Canvas) -> None:
    canvas.saveState()
    path = canvas.beginPath()
    path.rect(400, 100, 20, 20)
    canvas.clipPath(path, stroke=0, fill=0)
    canvas.drawString(72, 700, f"身份证号{ID_NUMBER}")
    canvas.restoreState()


def same_colour_as_box(canvas: Canvas) -> None:
    canvas.setFillColorRGB(0.2, 0.3, 0.6)
    canvas.rect(60, 690, 300, 24, fill=1, stroke=0)
    canvas.drawString(72, 700, f"身份证号{ID_NUMBER}")  # same blue as the box under it


def transparent_text(canvas: Canvas) -> None:
    canvas.setFillAlpha(0)
    canvas.drawString(72, 700, f"身份证号{ID_NUMBER}")


def white_on_dark_box(canvas: Canvas) -> None:
    """A table head: white text on a dark box, which every reader sees."""
    canvas.setFillColorRGB(0.1, 0.2, 0.4)
    canvas.rect(60, 690, 300, 24, fill=1, stroke=0)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.drawString(72, 700, "表一 收支总表")


def small_but_legible(canvas: Canvas) -> None:
    canvas.setFont(fx.CJK_FONT, 5)
    canvas.drawString(72, 700, "注：数据来源于财政局")


# -- pikepdf edits ------------------------------------------------------------------------------
def _edit(data: bytes, change: object) -> bytes:
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        change(pdf)  # type: ignore[operator]
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def hidden_layer() -> bytes:
    """A page whose second line sits on an optional-content group the default view hides."""
    secret = fx.build(fx.lines(PUBLIC, f"身份证号{ID_NUMBER}"))

    def change(pdf: pikepdf.Pdf) -> None:
        group = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.OCG, Name="审核意见"))
        pdf.Root.OCProperties = pikepdf.Dictionary(
            OCGs=[group], D=pikepdf.Dictionary(OFF=[group], Order=[group])
        )
        page = pdf.pages[0]
        page.Resources.Properties = pikepdf.Dictionary(oc1=group)
        content = page.Contents.read_bytes()
        # the text block showing the second line goes into the layer
        blocks = [m for m in re.finditer(rb"BT\b.*?\bET", content, re.DOTALL) if b"Tj" in m[0]]
        start, end = blocks[1].span()
        layered = content[:start] + b"/OC /oc1 BDC " + content[start:end] + b" EMC" + content[end:]
        page.Contents = pdf.make_stream(layered)

    return _edit(secret, change)


def covering_annotation() -> bytes:
    """An opaque white Square annotation laid over the second line."""
    data = fx.build(fx.lines(PUBLIC, f"身份证号{ID_NUMBER}"))

    def change(pdf: pikepdf.Pdf) -> None:
        appearance = pdf.make_stream(
            b"1 1 1 rg 0 0 300 20 re f",
            Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 300, 20],
        )  # fmt: skip
        annot = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Square, Rect=[60, 740, 360, 760],
            AP=pikepdf.Dictionary(N=appearance), F=4,
        )  # fmt: skip
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))

    return _edit(data, change)


def with_actions(actions: dict[str, pikepdf.Dictionary], link: str = "") -> bytes:
    """A plain page with the catalog entries `actions` (OpenAction, AA, Names) and a link."""
    data = fx.build(fx.lines(PUBLIC))

    def change(pdf: pikepdf.Pdf) -> None:
        for key, value in actions.items():
            pdf.Root[key] = value
        if link:
            annot = pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 700, 200, 720],
                A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=link),
            )  # fmt: skip
            pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))

    return _edit(data, change)


def javascript(code: str = "app.alert('hi');") -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=code)


def name_tree_javascript(pdf_bytes: bytes) -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        action = pdf.make_indirect(javascript())
        pdf.Root.Names = pikepdf.Dictionary(
            JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("init"), action])
        )

    return _edit(pdf_bytes, change)


def file_annotation(data: bytes, name: str, payload: bytes) -> bytes:
    """`data` with a FileAttachment annotation on page 1 carrying `payload`."""

    def change(pdf: pikepdf.Pdf) -> None:
        spec = pikepdf.AttachedFileSpec(pdf, payload, filename=name)
        annot = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment,
            Rect=[500, 780, 520, 800], FS=spec.obj, Contents="",
        )  # fmt: skip
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))

    return _edit(data, change)


def embedded(data: bytes, name: str, payload: bytes) -> bytes:
    """`data` with `payload` in the EmbeddedFiles name tree (through pikepdf)."""

    def change(pdf: pikepdf.Pdf) -> None:
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, payload, filename=name)

    return _edit(data, change)


# -- incremental updates, written as raw bytes ---------------------------------------------------
def _content_of(data: bytes) -> tuple[bytes, bytes]:
    """The raw stream dictionary entries (filters) and raw data of page 1's content stream."""
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        stream = pdf.pages[0].Contents
        filters = stream.stream_dict.get("/Filter")
        extra = b"/Filter " + filters.unparse() + b" " if filters is not None else b""
        return extra, stream.read_raw_bytes()


def append_update(base: bytes, objects: dict[int, bytes]) -> bytes:
    """`base` with an incremental update (re)defining `objects` (number → body)."""
    with pikepdf.Pdf.open(io.BytesIO(base)) as pdf:
        size = max(n for n, _ in pdf.get_xref_table()) + 1
        root = pdf.trailer.Root.objgen[0]
    previous = int(re.findall(rb"startxref\s+(\d+)", base)[-1])
    out = io.BytesIO()
    out.write(base if base.endswith(b"\n") else base + b"\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n")
    for number in sorted(objects):
        out.write(b"%d 1\n%010d 00000 n \n" % (number, offsets[number]))
    size = max(size, max(objects) + 1)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\n" % (size, root, previous))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def _stream(extra: bytes, raw: bytes) -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(raw), extra) + raw + b"\nendstream"


def revised(secret_lines: tuple[str, ...], final_lines: tuple[str, ...]) -> bytes:
    """A PDF whose first revision shows `secret_lines` and whose update shows `final_lines`."""
    base = fx.build(fx.lines(*secret_lines))
    extra, raw = _content_of(fx.build(fx.lines(*final_lines)))
    with pikepdf.Pdf.open(io.BytesIO(base)) as pdf:
        number = pdf.pages[0].Contents.objgen[0]
    return append_update(base, {number: _stream(extra, raw)})


def with_orphan(visible: tuple[str, ...], orphan: tuple[str, ...]) -> bytes:
    """A PDF with an update adding a content stream (showing `orphan`) that nothing reaches."""
    base = fx.build(fx.lines(*visible))
    extra, raw = _content_of(fx.build(fx.lines(*orphan)))
    with pikepdf.Pdf.open(io.BytesIO(base)) as pdf:
        number = max(n for n, _ in pdf.get_xref_table()) + 1
    return append_update(base, {number: _stream(extra, raw)})


def content_number(data: bytes) -> int:
    """The object number of page 1's content stream."""
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        return int(pdf.pages[0].Contents.objgen[0])


def content_of_lines(*lines: str) -> bytes:
    """An object body: the content stream of a page showing `lines` (fonts as fx.build's)."""
    return _stream(*_content_of(fx.build(fx.lines(*lines))))
