"""An OOXML package's core and app properties (docProps/core.xml, app.xml): who wrote it, for
which company, with which title. Read for .docx and .xlsx alike."""

from __future__ import annotations

from collections.abc import Callable, Collection

from lxml import etree

from review_flow.extract.model import TextBuilder, Where

CORE_LABELS = {
    "title": "标题",
    "subject": "主题",
    "creator": "作者",
    "lastModifiedBy": "最后修改者",
    "keywords": "关键词",
    "description": "备注",
    "category": "类别",
    "contentStatus": "状态",
}

APP_LABELS = {"Company": "单位", "Manager": "经理", "Template": "模板"}


def core_and_app_properties(
    names: Collection[str], xml: Callable[[str], etree._Element], out: TextBuilder
) -> None:
    """An OOXML package's core and app properties (.docx, .xlsx), one line each."""
    for name, labels in (("docProps/core.xml", CORE_LABELS), ("docProps/app.xml", APP_LABELS)):
        if name not in names:
            continue
        prefix = name.split("/")[1].split(".")[0]
        for el in xml(name):
            key = etree.QName(el).localname
            if key in labels and el.text and el.text.strip():
                out.add(f"{labels[key]}：{el.text.strip()}", Where.PROPERTY, part=f"{prefix}:{key}")
                out.separate("\n")
