"""The OA filing system (OA备案系统): catalogue records, push targets and retry timing.

Pure pieces only: building the 目录 record, delivering one message to a target, and when to
try again. The outbox use cases live in usecases/outbox.py and its rows in store/outbox.py; a
delivery is acknowledged or it raises OaPushError, and the caller records either as an event.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import os
import random
import re
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from review_flow.errors import OaPushError

log = logging.getLogger(__name__)

DEFAULT_TOPICS = (
    "综合政务", "财政金融", "国土资源", "城乡建设", "农业农村", "教育科技", "医疗卫生",
    "社会保障", "公共安全", "市场监管", "其他",
)  # fmt: skip
DEFAULT_INDEX_FORMAT = "{org}/{year}-{serial:05d}"
MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=120)


def index_number(org_code: str, year: int, serial: int, fmt: str = DEFAULT_INDEX_FORMAT) -> str:
    """索引号, e.g. 11310113MB2F12345X/2024-00009."""
    return fmt.format(org=org_code, year=year, serial=serial)


def idempotency_key(index_no: str, sha256: str) -> str:
    """Stable for the message: the same record and bytes always carry the same key."""
    return hashlib.sha256(f"{index_no}\n{sha256}".encode()).hexdigest()


def retraction_key(index_no: str, sha256: str) -> str:
    """The key of a retraction (撤稿) of a record: its own, stable like any other."""
    return hashlib.sha256(f"{index_no}\n{sha256}\nretract".encode()).hexdigest()


def backoff(attempts: int, base: float, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter: base·2^(n-1), capped at an hour, times 0.5 to 1.0."""
    rng = rng or random.Random()
    delay = min(base * 2 ** max(attempts - 1, 0), 3600.0)
    return timedelta(seconds=delay * (0.5 + rng.random() / 2))


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message as a target sees it: the key, the record and the exact file bytes."""

    key: str
    record: dict[str, Any]
    file_name: str
    content: bytes

    def body(self) -> bytes:
        return json.dumps(
            {
                "idempotency_key": self.key,
                "record": self.record,
                "file_name": self.file_name,
                "content_base64": base64.b64encode(self.content).decode(),
            },
            ensure_ascii=False,
        ).encode()


class Target(Protocol):
    """Delivers or raises OaPushError; returns a short receipt for the audit log."""

    name: str

    def deliver(self, delivery: Delivery) -> str: ...


class DirectoryTarget:
    """Drops the file and its record into a folder; a half-written file is never visible.

    Each file is written under a temporary name and renamed; the record goes last, so a
    record's presence means the file beside it is complete. The same key overwrites the same
    names with the same bytes, so a repeated delivery is harmless.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.name = f"dir:{folder}"

    def deliver(self, delivery: Delivery) -> str:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            stem = _safe(delivery.record.get("索引号") or delivery.key)
            suffix = Path(delivery.file_name).suffix
            if delivery.file_name:  # a retraction carries the record alone
                self._atomic(self.folder / f"{stem}{suffix}", delivery.content)
            record = {**delivery.record, "idempotency_key": delivery.key,
                      "file": f"{stem}{suffix}" if delivery.file_name else None}  # fmt: skip
            data = json.dumps(record, ensure_ascii=False, indent=1).encode()
            self._atomic(self.folder / f"{stem}.json", data)
        except OSError as exc:
            raise OaPushError(f"drop folder {self.folder}: {exc.strerror or exc}") from None
        return f"written {stem}.json"

    @staticmethod
    def _atomic(path: Path, data: bytes) -> None:
        tmp = path.with_name(f".{path.name}.partial")
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)


class HttpTarget:
    """POSTs JSON to the OA endpoint with an Idempotency-Key; 2xx (or 409 duplicate) is an ack.

    TLS certificates are verified; a bearer token comes from the environment only.
    """

    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0) -> None:
        self.url, self.token, self.timeout = url, token, timeout
        self.name = f"http:{url}"
        self._context = ssl.create_default_context()
        # NOTE: a redirect is not an acknowledgement: urllib would re-send the POST as a GET
        # and take the 200 of wherever it lands (a login page) for a filed document.
        self._opener = urllib.request.build_opener(
            _NoRedirect(), urllib.request.HTTPSHandler(context=self._context)
        )

    def deliver(self, delivery: Delivery) -> str:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": delivery.key,
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.url, data=delivery.body(), headers=headers, method="POST"
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                if not 200 <= response.status < 300:
                    raise OaPushError(f"OA answered HTTP {response.status}")
                return f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            if exc.code == 409:  # the receiver already has this key: delivered before
                return "HTTP 409 (already received)"
            raise OaPushError(f"OA answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise OaPushError(f"OA unreachable: {reason}") from None
        except http.client.HTTPException as exc:
            raise OaPushError(f"OA answered something that is not HTTP ({exc!r})") from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Turns every redirect into an error response instead of following it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def target_from_env(default_dir: Path) -> Target:
    """`REVIEW_FLOW_OA_URL` for HTTP, else a drop folder (`REVIEW_FLOW_OA_DIR`)."""
    url = os.environ.get("REVIEW_FLOW_OA_URL")
    if url:
        timeout = float(os.environ.get("REVIEW_FLOW_OA_TIMEOUT", "30"))
        return HttpTarget(url, os.environ.get("REVIEW_FLOW_OA_TOKEN"), timeout)
    return DirectoryTarget(Path(os.environ.get("REVIEW_FLOW_OA_DIR", default_dir)))


def catalogue_record(
    *,
    index_no: str,
    title: str,
    doc_number: str | None,
    issuer: str | None,
    publisher: str,
    doc_date: str | None,
    published_at: datetime,
    attribute: str,
    topic: str,
    sha256: str,
    file_name: str,
    size: int,
) -> dict[str, Any]:
    """The 政府信息公开目录 record, with the Chinese field names the platform uses."""
    on_request = attribute == "依申请公开"
    return {
        "索引号": index_no,
        "标题": title,
        "发文字号": doc_number,
        "发文机关": issuer,
        "发布机构": publisher,
        "成文日期": doc_date,
        "发布日期": published_at.date().isoformat(),
        "公开属性": attribute,
        "公开方式": "依申请提供" if on_request else "政府网站",
        "公开范围": "申请人" if on_request else "面向社会",
        "主题分类": topic,
        "sha256": sha256,
        "文件名": file_name,
        "文件大小": size,
    }
