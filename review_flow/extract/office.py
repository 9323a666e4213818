"""LibreOffice as a converter: old binary and WPS formats in, .docx/.xlsx out, in a private
profile with macros off and links never updated. Owns the soffice processes of this process.

NOTE: bench/convert.py measured, on a 2-core machine at load ~10, 4.0 s per .doc for a one-shot
`soffice --convert-to`, 3.4 s to start an instance and 0.56 s per .doc handed to it over its
pipe (4.6x cheaper per file over 12 files, start-up included). So each process (each sandbox
worker) keeps one headless soffice running, started on its first conversion, and hands it one
file at a time with a second, short-lived soffice (LibreOffice's own single-instance pipe). A
hung conversion is killed with that instance, a crash is one line, and the next file starts a
new one. The instance dies with the process that started it (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from review_flow.errors import ExtractionError
from review_flow.extract.limits import MIB, Limits, human

log = logging.getLogger(__name__)

SOFFICE_ENV = "REVIEW_FLOW_SOFFICE"  # the soffice binary to use (a path or a name on PATH)
INSTALL_HINT = (
    "install LibreOffice: apt-get install libreoffice-writer-nogui "
    "(and libreoffice-calc-nogui for spreadsheets), or set REVIEW_FLOW_SOFFICE to soffice"
)
START_SECONDS = 60  # a cold start on a loaded 2-core machine takes ~3-8 s
WRITE_FLOOR = 64 * MIB
RESTART_EXIT = 81  # soffice.bin asks to be started again after creating a fresh profile
PR_SET_PDEATHSIG = 1
CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
# NOTE: loaded here, not in the child: nothing that may spawn or allocate runs after fork.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None

# NOTE: the private profile. Macros never run (level 3 = very high, and execution disabled),
# links in text documents and spreadsheets are never updated (Writer 0, Calc 1 = never), links
# from untrusted documents are blocked, and no first-start dialogs or OpenCL are tried.
PROFILE_SETTINGS = {
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel"): "3",
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution"): "true",
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks"): "true",
    ("/org.openoffice.Office.Writer/Content/Update", "Link"): "0",
    ("/org.openoffice.Office.Calc/Content/Update", "Link"): "1",
    ("/org.openoffice.Office.Common/Misc", "FirstRun"): "false",
    ("/org.openoffice.Office.Common/Misc", "UseOpenCL"): "false",
    ("/org.openoffice.Office.Common/Misc", "ShowTipOfTheDay"): "false",
}


@dataclass(frozen=True, slots=True)
class Converted:
    """A converted file's bytes and the LibreOffice that made it."""

    data: bytes
    version: str  # "LibreOffice 7.4.7.2"


def find_soffice(path: str) -> str:
    """The soffice.bin to run (not the shell wrapper, so that killing it kills LibreOffice)."""
    name = os.environ.get(SOFFICE_ENV) or "soffice"
    found = shutil.which(name)
    if found is None:
        raise ExtractionError(path, f"LibreOffice ({name}) is not installed", hint=INSTALL_HINT)
    real = Path(found).resolve()
    binary = real.with_name("soffice.bin")
    return str(binary if binary.is_file() else real)


def profile_xml() -> str:
    items = "".join(
        f'<item oor:path="{node}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>\n"
        for (node, name), value in PROFILE_SETTINGS.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}</oor:items>\n"
    )


def _child_setup(max_write_bytes: int) -> None:
    """In the soffice child: die with the parent, no network if the kernel lets us, no file
    written past the file limit, and a CPU limit of its own (the worker's per-file limit
    becomes wall time, enforced by the caller)."""
    if _LIBC is not None:
        # NOTE: a new network namespace has only a loopback that is down: nothing can be
        # fetched. Root may make one; another user makes it inside a user namespace of its
        # own (unmapped: the same user to the file system, `nobody` to itself). Where the
        # kernel allows neither, the calls fail and the profile still never updates links.
        if _LIBC.unshare(CLONE_NEWNET) != 0:
            _LIBC.unshare(CLONE_NEWUSER | CLONE_NEWNET)
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if hard == resource.RLIM_INFINITY or max_write_bytes <= hard:
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_write_bytes, hard))


class Office:
    """One headless soffice for this process, with its own profile; converts one file at a time."""

    def __init__(self, binary: str, limits: Limits) -> None:
        self.binary = binary
        # NOTE: the instance outlives a file, so it takes the limits it was started with; a
        # process reads its limits once (Limits.from_env), so they are the same for every file
        self.limits = limits
        # (no file LibreOffice writes, its profile included, may pass the larger of the file
        # limit and WRITE_FLOOR: a lowered file limit must not stop LibreOffice starting)
        self.setup = functools.partial(_child_setup, max(limits.max_file_bytes, WRITE_FLOOR))
        self.home = Path(tempfile.mkdtemp(prefix="review-flow-office-"))
        profile = self.home / "profile" / "user"
        profile.mkdir(parents=True)
        (profile / "registrymodifications.xcu").write_text(profile_xml(), encoding="utf-8")
        self.profile_uri = (self.home / "profile").as_uri()
        self.keep = self.home / "keep.txt"  # held open so the instance outlives each conversion
        self.keep.write_text("review-flow\n", encoding="utf-8")
        # LibreOffice's own temporary files go here too, so nothing is left behind in /tmp
        (self.home / "tmp").mkdir()
        self.env = {**os.environ, "TMPDIR": str(self.home / "tmp")}
        self.server: subprocess.Popen[bytes] | None = None
        self.pipes: list[str] = []  # the instance's socket files, removed when it stops
        self.version = _version(binary)

    def _args(self, *more: str) -> list[str]:
        return [
            self.binary, f"-env:UserInstallation={self.profile_uri}",
            "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck", *more,
        ]  # fmt: skip

    def start(self, path: str) -> None:
        """Start the instance and wait until it holds its keep document open (it is ready)."""
        lock = self.keep.with_name(f".~lock.{self.keep.name}#")
        for _ in range(2):  # a fresh profile makes soffice.bin exit 81 once: start it again
            self.server = subprocess.Popen(
                self._args(str(self.keep)), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, preexec_fn=self.setup, cwd=self.home, env=self.env,
            )  # fmt: skip
            deadline = time.monotonic() + START_SECONDS
            while time.monotonic() < deadline and self.server.poll() is None:
                if lock.exists():
                    self.pipes = _socket_files(self.server.pid)
                    return
                time.sleep(0.05)
            if self.server.poll() != RESTART_EXIT:
                break
        code = self.server.poll() if self.server else None
        self.stop()
        raise ExtractionError(
            path, f"LibreOffice did not start ({'exit ' + str(code) if code else 'no answer'})",
            hint=INSTALL_HINT,
        )  # fmt: skip

    def convert(self, data: bytes, path: str, suffix: str, target: str) -> bytes:
        """Convert `data` (a file ending in `suffix`) to `target` (docx, xlsx); bytes out.

        Input and output live in a private directory removed before returning. The conversion
        may take `cpu_seconds` of wall time, and its result `max_file_bytes`.
        """
        timeout = self.limits.cpu_seconds
        if self.server is None or self.server.poll() is not None:
            self.start(path)
        with tempfile.TemporaryDirectory(prefix="convert-", dir=self.home) as tmp:
            source = Path(tmp) / f"document{suffix}"
            source.write_bytes(data)
            out = Path(tmp) / "out"
            client = subprocess.Popen(
                self._args("--convert-to", target, "--outdir", str(out), str(source)),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                preexec_fn=self.setup, cwd=tmp, env=self.env,
            )  # fmt: skip
            try:
                client.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                client.kill()
                client.wait()
                self.stop()
                raise ExtractionError(
                    path, f"LibreOffice did not finish converting it within {timeout} s "
                    "(hostile or broken file?)",
                ) from None  # fmt: skip
            result = out / f"document.{target}"
            if not result.is_file():
                if self._died():
                    raise ExtractionError(path, "LibreOffice crashed converting it (hostile file?)")
                raise ExtractionError(
                    path, "LibreOffice could not read it (corrupt, password-protected or "
                    "not a document of this kind)",
                )  # fmt: skip
            size = result.stat().st_size
            if size > self.limits.max_file_bytes:
                raise ExtractionError(
                    path, f"converted by LibreOffice it is {human(size)}, over the "
                    f"{human(self.limits.max_file_bytes)} limit (hostile file?)",
                )  # fmt: skip
            return result.read_bytes()

    def _died(self) -> bool:
        """Whether the instance is gone (given a moment: a crash may still be under way)."""
        if self.server is None:
            return True
        try:
            self.server.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            return False
        self.stop()
        return True

    def stop(self) -> None:
        if self.server is not None:
            with contextlib.suppress(ProcessLookupError):
                self.server.kill()
            self.server.wait()
            self.server = None
        # NOTE: LibreOffice keeps its single-instance pipe in /tmp whatever TMPDIR says, and
        # a killed instance leaves the socket file there.
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                os.unlink(pipe)
        self.pipes = []
        # the lock file and profile go with the home directory; a new start rewrites them
        with contextlib.suppress(FileNotFoundError):
            self.keep.with_name(f".~lock.{self.keep.name}#").unlink()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


def _version(binary: str) -> str:
    try:
        done = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "LibreOffice"
    words = done.stdout.split()
    return " ".join(words[:2]) if len(words) >= 2 else "LibreOffice"


def _socket_files(pid: int) -> list[str]:
    """The paths of the Unix sockets process `pid` listens on (Linux /proc; else none)."""
    try:
        inodes = {os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1] for fd in os.listdir(f"/proc/{pid}/fd")}
        with open(f"/proc/{pid}/net/unix", encoding="utf-8") as table:
            rows = [line.split() for line in table.readlines()[1:]]
    except OSError:
        return []
    return [row[7] for row in rows if len(row) >= 8 and row[6] in inodes and "OSL_PIPE" in row[7]]


_OFFICES: dict[tuple[int, str, Limits], Office] = {}


def office_for(path: str, limits: Limits) -> Office:
    """This process's Office (a forked worker gets its own, never its parent's)."""
    binary = find_soffice(path)
    key = (os.getpid(), binary, limits)
    office = _OFFICES.get(key)
    if office is None:
        office = _OFFICES[key] = Office(binary, limits)
        _close_at_exit(office)
    return office


def _close_at_exit(office: Office) -> None:
    # NOTE: multiprocessing workers leave through os._exit, which skips atexit; its own
    # finalizers run in workers and, through its atexit hook, in the main process too.
    from multiprocessing import util

    util.Finalize(office, office.close, exitpriority=10)


def convert(data: bytes, path: str, suffix: str, target: str, limits: Limits) -> Converted:
    """Convert a document with this process's LibreOffice (see Office.convert)."""
    office = office_for(path, limits)
    return Converted(office.convert(data, path, suffix, target), office.version)
