"""`python -m review_flow ARGS…` as a new process, without paying for the imports each time.

A CLI process spends most of its time importing (about 1.7 s of CPU on the test machine, ~200
runs per suite). A zygote process imports the CLI's modules once; each command is a fork of it
that sets the caller's environment, working folder and argv and runs `review_flow` as
`__main__`, as `python -m` does (tests/test_concurrency.py's racers start the same way). The
command is still its own process: own exit status, own stdout/stderr, own database connections,
and an escaped exception prints its traceback and exits 1 as in a fresh interpreter.
"""

from __future__ import annotations

import atexit
import json
import locale
import os
import select
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

# NOTE: the zygote only imports; it never opens a database, so a fork shares no connection.
ZYGOTE = """
import json, os, runpy, sys
import review_flow.audit, review_flow.cli.root, review_flow.usecases
import review_flow.extract.limits, review_flow.scan.rules, review_flow.store
control, replies = sys.stdin.fileno(), sys.stdout.fileno()
os.write(replies, b"ready\\n")
pending = b""
while True:
    chunk = os.read(control, 1 << 16)
    if not chunk:
        break
    pending += chunk
    while b"\\n" in pending:
        line, pending = pending.split(b"\\n", 1)
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            os.close(control)
            for fd, path, mode in ((0, os.devnull, os.O_RDONLY),
                                   (1, request["out"], os.O_WRONLY),
                                   (2, request["err"], os.O_WRONLY)):
                opened = os.open(path, mode)
                os.dup2(opened, fd)
                os.close(opened)
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            sys.argv = ["-m", *request["args"]]
            # as `python -m review_flow`: SystemExit and an escaped traceback are the
            # interpreter's own, atexit handlers run
            runpy.run_module("review_flow", run_name="__main__", alter_sys=True)
            sys.exit(0)
        os.write(replies, b"%d\\n" % pid)
        _, status = os.waitpid(pid, 0)
        os.write(replies, b"%d\\n" % os.waitstatus_to_exitcode(status))
"""


class _Zygote:
    def __init__(self) -> None:
        self.env = dict(os.environ)
        self.process = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.folder = Path(tempfile.mkdtemp(prefix="forkcli-"))
        self._buffer = b""
        assert self._line(120) == b"ready"

    def _line(self, timeout: float | None) -> bytes | None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            if not select.select([fd], [], [], timeout)[0]:
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError("the CLI zygote died")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def fits(self, env: dict[str, str]) -> bool:
        """Interpreter settings (PYTHON*) are fixed at the zygote's start: they must agree."""
        keys = {k for k in (*env, *self.env) if k.startswith("PYTHON")}
        return all(env.get(k) == self.env.get(k) for k in keys)

    def run(
        self, args: list[str], env: dict[str, str], timeout: float
    ) -> subprocess.CompletedProcess[str]:
        out, err = self.folder / "stdout", self.folder / "stderr"
        out.write_bytes(b"")
        err.write_bytes(b"")
        request = {"args": args, "env": env, "cwd": os.getcwd(), "out": str(out),
                   "err": str(err)}  # fmt: skip
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()
        pid = int(self._line(60) or b"0")
        status = self._line(timeout)
        argv = [sys.executable, "-m", "review_flow", *args]
        if status is None:  # as subprocess.run: kill the command, then raise
            os.kill(pid, signal.SIGKILL)
            self._line(None)
            raise subprocess.TimeoutExpired(argv, timeout)
        return subprocess.CompletedProcess(argv, int(status), _text(out), _text(err))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        for path in self.folder.iterdir():
            path.unlink()
        self.folder.rmdir()


def _text(path: Path) -> str:
    """What subprocess.run(text=True) gives: the locale's encoding, universal newlines."""
    data = path.read_bytes().decode(locale.getpreferredencoding(False))
    return data.replace("\r\n", "\n").replace("\r", "\n")


_zygote: _Zygote | None = None


def run_cli(
    args: list[str], env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """subprocess.run([python, "-m", "review_flow", *args], capture_output=True, text=True, …)."""
    global _zygote
    if _zygote is None:
        _zygote = _Zygote()
        atexit.register(_zygote.close)
    if not _zygote.fits(env):
        argv = [sys.executable, "-m", "review_flow", *args]
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    return _zygote.run(args, env, timeout)
