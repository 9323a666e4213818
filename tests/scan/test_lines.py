"""LineIndex.page_tops keeps exactly the lines a walk over every line keeps."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from review_flow.extract.model import Extracted, Segment, Where
from review_flow.lines import Line, LineIndex
from review_flow.scan.normalise import normalise

RUNNING = (Where.HEADER, Where.FOOTER)


def walked(lines: LineIndex, count: int) -> list[Line]:
    """The reference: every line, in order, as official.py once read them."""
    out: list[Line] = []
    page, seen = None, 0
    for line in lines.forward():
        if line.container in RUNNING:
            out.append(line)
        elif line.page is not None:
            page, seen = (line.page, 0) if line.page != page else (page, seen)
            if seen < count:
                out.append(line)
            seen += 1
    return out


piece = st.tuples(
    st.lists(st.sampled_from(["甲乙", "内 部", "  ", "a  b", "丙", ""]), min_size=1, max_size=6),
    st.sampled_from([Where.PAGE, Where.HEADER, Where.FOOTER, Where.TABLE, Where.BODY]),
    st.one_of(st.none(), st.integers(1, 4)),
    st.sampled_from(["", "\n", "\n\n", " "]),  # a gap no segment covers
)


def build(pieces: list[tuple[list[str], Where, int | None, str]]) -> Extracted:
    text, segments = "", []
    for lines_of, container, page, gap in pieces:
        start = len(text)
        text += "\n".join(lines_of)
        segments.append(Segment(container, start, len(text), container, "", page))
        text += gap
    return Extracted("t", "0", len(text), "pdf", text, tuple(segments))


@settings(max_examples=400, deadline=None)
@given(st.lists(piece, min_size=1, max_size=14), st.integers(1, 3), st.booleans())
def test_page_tops_equals_the_walk_over_every_line(
    pieces: list[tuple[list[str], Where, int | None, str]], count: int, normalised: bool
) -> None:
    extracted = build(pieces)
    if normalised:
        view = normalise(extracted.text)
        maps = (None, None) if view.is_identity else (view.to_source, view.from_source)
        make = lambda: LineIndex(extracted, view.text, *maps)  # noqa: E731
    else:
        make = lambda: LineIndex(extracted)  # noqa: E731
    assert make().page_tops(count, RUNNING) == walked(make(), count)
