"""Helpers for the tests of writing files: a FIFO with a reader, a writer killed mid-write."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENT = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}

# Run with the path to write: starts a write, says "writing" once half of it is out, then
# waits to be killed. The function written with is passed as the code's last line.
STUCK_WRITE = """
import sys, time
from autodiff.files import write_atomically

def stuck(file):
    file.write(b"half")
    file.flush()
    print("writing", flush=True)
    time.sleep(600)

write_atomically(sys.argv[1], stuck)
"""


class FifoReader:
    """A FIFO (behind a symbolic link) whose reader, a daemon thread, keeps what it reads.

    Opening a FIFO waits for both ends, so the reader runs in a thread of its own; if no
    writer ever comes (the FIFO was replaced by a file), the thread stays blocked and
    :meth:`received` says so instead of hanging the test.
    """

    def __init__(self, folder: Path) -> None:
        self.fifo = folder / "pipe"
        os.mkfifo(self.fifo)
        self.link = folder / "link-to-pipe"
        self.link.symlink_to(self.fifo.name)
        self.data: bytes | None = None
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with open(self.fifo, "rb") as pipe:
            self.data = pipe.read()

    def received(self, timeout: float = 20) -> bytes:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "nothing was written into the FIFO"
        assert self.data is not None
        return self.data


def stuck_in_a_write(code: str, *args: str) -> subprocess.Popen[str]:
    """Start ``python -c code args``; return once it prints that it is mid-write."""
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENVIRONMENT,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    if line != "writing\n":
        child.kill()
        _, error = child.communicate()
        raise AssertionError(f"the writer did not start: {line!r} {error}")
    return child


NOBODY = 65534


def as_an_unprivileged_user(action: Callable[[], object]) -> str:
    """Run ``action`` without root's power to write anything; return what it raised.

    As root, in a forked child that has become the user ``nobody`` (65534), so that
    permissions mean what they mean to every other user; otherwise in this process.
    Returns the name of the exception raised and its message, or ``"ok"``.
    """
    if os.name != "posix" or os.geteuid() != 0:
        return _outcome(action)
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (runs in the child)
        os.close(reading)
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            os.write(writing, _outcome(action).encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        outcome = pipe.read().decode()
    os.waitpid(child, 0)
    return outcome


def _outcome(action: Callable[[], object]) -> str:
    try:
        action()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "ok"


def a_folder_for_anyone() -> Path:
    """A fresh folder that the unprivileged user of :func:`as_an_unprivileged_user` may
    write in (pytest's own tmp_path is closed to other users)."""
    folder = Path(tempfile.mkdtemp(prefix="autodiff-files-"))
    folder.chmod(0o755)
    if os.name == "posix" and os.geteuid() == 0:
        os.chown(folder, NOBODY, NOBODY)
    return folder
