"""Databases for tests: a SQLite file always, PostgreSQL when REVIEW_FLOW_TEST_DATABASE_URL is set.

Each test gets a fresh database (a new SQLite file, or a new PostgreSQL schema that is dropped
afterwards), its own audit-key folder, and a `Bench` that runs the real CLI against it.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.forkcli import run_cli

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


def new_database(
    backend: str, tmp_path: Path, pg_url: str | None = None, prefix: str = "t_"
) -> Iterator[str]:
    """Yield a URL for an empty database of the backend; clean up afterwards.

    SQLite: a new file under `tmp_path`. PostgreSQL: a new schema on `pg_url` (default
    REVIEW_FLOW_TEST_DATABASE_URL), dropped with everything in it when the generator closes.
    """
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'review_flow.db'}"
        return
    base = pg_url or PG_URL
    assert base
    schema = f"{prefix}{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def module_bench(request: Any, tmp_path_factory: Any, label: str) -> Iterator[Bench]:
    """Body of a module-scoped `bench` fixture: one demo database per backend for a module."""
    folder = tmp_path_factory.mktemp(f"{label}-{request.param}")
    database = new_database(request.param, folder)
    url = next(database)
    try:
        yield make_bench(url, folder / "keys")
    finally:
        database.close()


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
        argv = ["--as", user] if user else []
        return run_cli([*argv, *args], self.environ(**extra), timeout=120)

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
