"""The real CLI run in-process (typer's CliRunner) against a test database: the commands and
their arguments exactly as typed, without a Python start-up per command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from typer.testing import CliRunner

from review_flow.cli import app
from tests.dbkit import Bench
from tests.variants import variant

RUNNER = CliRunner()


class Ran(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def warm_scanner() -> None:
    """Load the rules and the jieba dictionary in this process once: the sandbox forks its
    workers from here, so every scan of the module starts warm."""
    from review_flow.scan.rules import default_rules_dir
    from review_flow.tasks import ready_scanner

    ready_scanner((str(default_rules_dir()),), 2)


class Desk:
    """The module's bench, run in-process: (exit code, stdout, stderr) of one command."""

    def __init__(self, bench: Bench, folder: Path) -> None:
        self.bench, self.folder = bench, folder

    def run(self, *args: str, user: str | None = None, **env: str) -> Ran:
        argv = [*(["--as", user] if user else []), *args]
        result = RUNNER.invoke(app, argv, env=self.bench.environ(**env))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Ran(result.exit_code, result.stdout, result.stderr)

    def ok(self, *args: str, user: str | None = None, **env: str) -> str:
        code, out, err = self.run(*args, user=user, **env)
        assert code == 0, (args, out, err)
        return out

    def json(self, *args: str, user: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--format", "json", user=user))

    def submit(self, sample: Path, user: str = "张拟稿") -> str:
        return self.ok("submit", str(variant(sample, self.folder)), user=user).strip()

    def to_approved(self, sample: Path) -> str:
        doc = self.submit(sample)
        numbers = [str(f["number"]) for f in self.json("findings", doc, user="李审查")
                   if f["severity"] in ("block", "warn")]  # fmt: skip
        if numbers:
            self.ok("dispose", doc, *numbers, "--dismiss", "--reason", "测试", user="李审查")
        self.ok("approve", doc, user="李审查")
        return doc
