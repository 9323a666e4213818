"""What a redaction was asked to do and what it did: the targets, each removal, the result.

Nothing here holds a raw value except `Target.value`, which never leaves the process: reports,
logs and audit events carry masked values and counts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class PdfMode(StrEnum):
    """How a PDF is redacted (see README, "Redaction")."""

    GLYPHS = "glyphs"  # glyphs removed from the content streams, their lines kept as pictures
    IMAGE = "image"  # every page rendered to a picture with the values painted over


@dataclass(frozen=True, slots=True)
class Target:
    """One value to mask wherever it stands, in any of its forms.

    `value` is raw text as extraction read it (never logged); `label` names the finding it
    comes from for the report (`finding 12`, `scan #3`).
    """

    value: str
    kind: str
    label: str
    category: str = "personal_data"


@dataclass(frozen=True, slots=True)
class Options:
    """What to remove beyond the masked values; the defaults are what publication needs."""

    comments: bool = True
    revisions: bool = True
    hidden: bool = True
    properties: bool = True
    custom_xml: bool = True
    unreferenced: bool = True
    embedded: tuple[str, ...] = ()  # parts of embedded objects a finding confirmed
    pdf_mode: PdfMode = PdfMode.GLYPHS
    dpi: int = 150  # image mode, and the pictures of redacted lines in glyph mode


@dataclass(frozen=True, slots=True)
class Removal:
    """One item taken out of the file: `what` (comment, tracked_deletion, hidden_text …),
    `where` (a part or property name) and `detail` (counts, never content)."""

    what: str
    where: str
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {"what": self.what, "where": self.where, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Masked:
    """Masks written into one part: how many, and the masked forms (no raw value)."""

    where: str
    count: int
    shown: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"where": self.where, "count": self.count, "masked": list(self.shown)}


@dataclass(frozen=True, slots=True)
class Redacted:
    """The redacted file and its removal report."""

    data: bytes
    format: str
    masked: tuple[Masked, ...] = ()
    removals: tuple[Removal, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def mask_count(self) -> int:
        return sum(m.count for m in self.masked)

    def to_json(self) -> dict[str, object]:
        return {
            "format": self.format,
            "masks": self.mask_count,
            "masked": [m.to_json() for m in self.masked],
            "removed": [r.to_json() for r in self.removals],
            "notes": list(self.notes),
        }
