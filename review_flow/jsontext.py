"""`json.dumps(value, ensure_ascii=False, indent=1)`, the way `review-flow scan --format json`
writes a report, in a fraction of the time.

NOTE: with an indent, the json module encodes in pure Python, a generator step per token (its
C encoder serves only `indent=None`); for a dense report that was ~0.7 ms per 100 findings,
paid once per document of a folder. This encoder builds each container with one join, and
leaves strings to the json module's own C function, so the bytes are the same (a test holds
it to json.dumps on generated values). Anything it does not know (a non-string key, another
type) is handed to json.dumps whole.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring as _string  # the C function when built


class _Unsupported(Exception):
    pass


def dumps_indented(value: object) -> str:
    try:
        return _encode(value, "\n")
    except _Unsupported:
        return json.dumps(value, ensure_ascii=False, indent=1)


def _encode(value: object, pad: str) -> str:
    """`value` encoded; `pad` is a newline and the indent of the line it starts on."""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = pad + " "
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unsupported  # json turns numbers and null into keys its own way
            items.append(_string(key) + ": " + _encode(item, inner))
        return "{" + inner + ("," + inner).join(items) + pad + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = pad + " "
        return "[" + inner + ("," + inner).join([_encode(v, inner) for v in value]) + pad + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _Unsupported  # NaN, Infinity: json's own spelling
        return float.__repr__(value)
    raise _Unsupported
