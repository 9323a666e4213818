"""Databases for tests: a SQLite file always, PostgreSQL when REVIEW_FLOW_TEST_DATABASE_URL is set.

Each test gets a fresh database (a new SQLite file, or a new PostgreSQL schema that is dropped
afterwards), its own audit-key folder, and a `Bench` that runs the real CLI against it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("REVIEW_FLOW_TEST_DATABASE_URL")
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="REVIEW_FLOW_TEST_DATABASE_URL is not set"),
        ],
    ),
]


def new_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """Yield a URL for an empty database of the backend; clean up afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'review_flow.db'}"
        return
    assert PG_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Bench:
    """Runs `review-flow` as a subprocess against one test database."""

    url: str
    home: Path
    env: dict[str, str] = field(default_factory=dict)

    def environ(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "REVIEW_FLOW_DB": self.url, "REVIEW_FLOW_HOME": str(self.home)}
        env.pop("REVIEW_FLOW_USER", None)
        env.update(self.env)
        env.update(extra)
        return env

    def run(
        self, *args: str, user: str | None = None, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "review_flow"]
        if user:
            argv += ["--as", user]
        return subprocess.run(
            [*argv, *args], capture_output=True, text=True, env=self.environ(**extra), timeout=120
        )

    def ok(self, *args: str, user: str | None = None) -> str:
        result = self.run(*args, user=user)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout

    def json(self, *args: str, user: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--format", "json", user=user))


def make_bench(url: str, home: Path, demo: bool = True) -> Bench:
    """A database with users admin, 张拟稿 (clerk), 李审查 (reviewer), 王公开 (publisher),
    赵检查 (inspector) and 周全能, who holds clerk, reviewer and publisher (four-eyes tests)."""
    bench = Bench(url, home)
    bench.ok("init", "--admin", "admin", *(["--demo"] if demo else []))
    if demo:
        for name, roles in (
            ("张拟稿", ["clerk"]),
            ("李审查", ["reviewer"]),
            ("王公开", ["publisher"]),
            ("赵检查", ["inspector"]),
            ("周全能", ["clerk", "reviewer", "publisher"]),
        ):
            bench.ok("users", "add", name, *(a for r in roles for a in ("--role", r)), user="admin")
    return bench
