"""Writing files without losing what the user has: the one writer behind every file we write.

:func:`write_atomically` writes drawings (:meth:`autodiff.show.render.Drawing.write`, the command
line's ``-o``), saved models (``nn.save``), the demo's pictures and the benchmark's report.
Its rules:

- A regular file (or a new one) is written under a temporary name in its own directory,
  then renamed over it: a reader sees the old content or the new, never half of either.
  An existing file keeps its permissions (and its owner, where the process may set it); a
  new one gets the umask's, as ``open()`` would.
- A symbolic link is written *through*: the file it points to gets the content, and the
  link stays a link.
- Anything else that exists — a FIFO, a terminal, a character device, ``/dev/stdout`` and
  the other ``/proc/self/fd`` or ``/dev/fd`` links — is written directly: a file is opened in
  append mode, and the process's own stream (``/dev/stdout``) is written through a copy of
  its descriptor, so a redirected standard output keeps what was printed before and a socket
  works as well as a pipe. Renaming a file over it would replace the device or pipe with a
  plain file. A FIFO that no process opens for reading within :data:`FIFO_READER_WAIT`
  seconds is an error, not a hang.
- A file the process may not write (no write permission) is refused, as ``open()`` would
  refuse it, though its folder would allow replacing it. The new content is never readable
  by more users than the old: the temporary gets the old file's permissions before any of
  the content is written.
- Temporary files never pile up. One is removed on every way out of the write that the
  process controls (an exception, Ctrl-C). One left behind by a killed process is named
  ``.<start of the name>~<hash of the name>.<pid>.<random>.tmp``; the next write to the same
  file recognises it and removes it once that process is gone (on POSIX systems).
- The temporary name is short whatever the file's name is, so every name the file system
  accepts (up to 255 bytes) can be written.

Example:
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "notes.txt").write_text("old")
    3
    >>> (folder / "link.txt").symlink_to("notes.txt")
    >>> _ = write_atomically(folder / "link.txt", "new")
    >>> (folder / "notes.txt").read_text(), (folder / "link.txt").is_symlink()
    ('new', True)
    >>> sorted(path.name for path in folder.iterdir())  # no temporary file left
    ['link.txt', 'notes.txt']
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["FIFO_READER_WAIT", "Content", "write_atomically"]

Content = bytes | bytearray | memoryview | str | Callable[[BinaryIO], object]
"""What :func:`write_atomically` writes: bytes, text (written as UTF-8), or a function that
writes into the open binary file it is given (``figure.savefig``, ``json.dump`` through a
text wrapper)."""

# Where the final component of a path is a window onto an open file, not a file to replace.
STREAM_PREFIXES = ("/proc/", "/dev/fd/")
OWN_DESCRIPTOR = re.compile(r"/(?:proc/self|dev)/fd/([0-9]+)")  # /dev/stdout leads here
MAX_LINKS = 40  # as Linux's own limit on following symbolic links
FIFO_READER_WAIT = 5.0
"""Seconds that writing into a FIFO waits for a process to open it for reading."""
FIFO_POLL = 0.05  # seconds between two looks for a FIFO's reader
TEMPORARY_TAIL = re.compile(r"([1-9][0-9]{0,8})\.[0-9a-f]{6}\.tmp")  # a pid fits in 9 digits


def write_atomically(path: str | os.PathLike[str], content: Content) -> Path:
    """Write ``content`` to ``path`` whole or not at all, following the module's rules.

    Args:
        path: the file to write; a symbolic link is followed to the file it names.
        content: bytes, a str (written as UTF-8), or a function called with the open binary
            file, which writes into it.

    Returns:
        ``path``, as a :class:`~pathlib.Path`.

    Raises:
        TypeError: ``path`` is not a path, or ``content`` is none of the above.
        ValueError: ``path`` is empty or ends in a separator (it names no file).
        IsADirectoryError: ``path`` is a directory.
        PermissionError: the file or its directory is not writable; the old file is kept.
        OSError: the directory is missing, or a FIFO has no reader (``errno.ENXIO``) after
            :data:`FIFO_READER_WAIT` seconds; the old file, if any, is kept.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "data.bin"
        >>> write_atomically(path, lambda file: file.write(b"\\x00\\x01")).read_bytes()
        b'\\x00\\x01'
    """
    text = os.fspath(path)
    if not isinstance(text, str):
        raise TypeError(f"write_atomically: path must be a str path, got bytes: {text!r}")
    if not isinstance(content, (bytes, bytearray, memoryview, str)) and not callable(content):
        raise TypeError(
            "write_atomically: content must be bytes, str or a function of the open file, "
            f"got {type(content).__name__}"
        )
    if not os.path.basename(text):
        raise ValueError(f"write_atomically: {text!r} names no file (give a file name)")
    target, in_place = _destination(text)
    if in_place:
        _write_in_place(target, content)
    else:
        _write_and_rename(target, content)
    return Path(path)


def _destination(path: str) -> tuple[str, bool]:
    """The file that ``path`` names after its symbolic links, and whether to write it in place."""
    target = path
    for _ in range(MAX_LINKS):
        if target.startswith(STREAM_PREFIXES):
            return target, True
        try:
            link = os.readlink(target)
        except OSError:  # not a link (or not there): this is the file
            break
        target = os.path.join(os.path.dirname(target), link)
    else:
        raise OSError(errno.ELOOP, "too many levels of symbolic links", path)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target, False
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", path)
    return target, not stat.S_ISREG(mode)


def _write_in_place(target: str, content: Content) -> None:
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0)
    own = OWN_DESCRIPTOR.fullmatch(target)
    if own:  # our own stream (/dev/stdout): write it, not a reopened copy, which a socket
        descriptor = os.dup(int(own[1]))  # refuses and a pipe may never get a reader for
    elif stat.S_ISSOCK(mode := os.stat(target).st_mode):  # open() would say only ENXIO
        raise OSError(errno.ENXIO, "is a socket, which cannot be written as a file", target)
    elif stat.S_ISFIFO(mode):
        descriptor = _open_fifo(target, flags)
    else:
        descriptor = os.open(target, flags)
    with os.fdopen(descriptor, "wb") as file:
        _fill(file, content)


def _open_fifo(target: str, flags: int) -> int:
    """Open a FIFO for writing once a reader has it open; a blocking open would wait for
    one forever. A reader started a moment after the writer (``-o pipe & cat pipe``) is
    waited for, up to :data:`FIFO_READER_WAIT` seconds."""
    deadline = time.monotonic() + FIFO_READER_WAIT
    while True:
        try:
            descriptor = os.open(target, flags | os.O_NONBLOCK)
        except OSError as error:  # ENXIO: no reader yet
            if error.errno != errno.ENXIO:
                raise
            if time.monotonic() >= deadline:
                raise OSError(
                    errno.ENXIO,
                    f"no process is reading the FIFO (waited {FIFO_READER_WAIT:g} s for one)",
                    target,
                ) from None
            time.sleep(FIFO_POLL)
            continue
        os.set_blocking(descriptor, True)  # the reader may be slower than us: wait for it
        return descriptor


def _write_and_rename(target: str, content: Content) -> None:
    directory, name = os.path.split(target)
    prefix = _temporary_prefix(name)
    _remove_abandoned(directory or os.curdir, prefix)
    temporary = os.path.join(directory, f"{prefix}{os.getpid()}.{secrets.token_hex(3)}.tmp")
    existing = _status(target)
    if existing is not None and not _writable(target):
        raise PermissionError(errno.EACCES, "permission denied (the file is read-only)", target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:  # 0o666: the umask decides, as for open(); 0o600 until the old file's mode is set
        descriptor = os.open(temporary, flags, 0o666 if existing is None else 0o600)
    except OSError as error:  # name the user's file, not our temporary
        raise type(error)(error.errno, error.strerror, target) from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            if existing is not None and hasattr(os, "fchmod"):  # before any content
                _keep_owner_and_mode(file.fileno(), existing)
            _fill(file, content)
            file.flush()
            os.fsync(file.fileno())
        if existing is not None and not hasattr(os, "fchmod"):  # Windows: the read-only bit
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _fill(file: BinaryIO, content: Content) -> None:
    if isinstance(content, str):
        file.write(content.encode("utf-8"))
    elif isinstance(content, (bytes, bytearray, memoryview)):
        file.write(content)
    else:
        content(file)


def _temporary_prefix(name: str) -> str:
    """``.<first 24 characters>~<8 hex digits of the whole name's hash>.``: short, and the
    same for every write to this name, so that abandoned temporaries can be found."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f".{name[:24]}~{digest}."


def _remove_abandoned(directory: str, prefix: str) -> None:
    """Remove the temporaries of this name left by processes that no longer run."""
    if os.name != "posix":  # no safe way to ask whether a process runs
        return
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            if not entry.name.startswith(prefix):
                continue
            tail = TEMPORARY_TAIL.fullmatch(entry.name[len(prefix) :])
            if tail and not _running(int(tail[1])):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _running(pid: int) -> bool:
    # A process of another machine or container sharing the folder is not seen here; if its
    # temporary is removed mid-write, its rename fails with an error: no file is damaged.
    if pid == os.getpid():
        return True  # another thread of ours may be writing this very file
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # it exists but is not ours to signal, or we cannot tell
        return True
    return True


def _status(target: str) -> os.stat_result | None:
    try:
        return os.stat(target)
    except FileNotFoundError:
        return None


def _writable(target: str) -> bool:
    """Whether the process may write ``target`` itself, as ``open(target, "w")`` asks."""
    if os.access in os.supports_effective_ids:
        return os.access(target, os.W_OK, effective_ids=True)
    return os.access(target, os.W_OK)


def _keep_owner_and_mode(descriptor: int, existing: os.stat_result) -> None:
    """Give the open new file the old one's permissions and, where allowed, its owner."""
    if (existing.st_uid, existing.st_gid) != _owner(descriptor):
        with contextlib.suppress(OSError):  # only root may give a file away
            os.fchown(descriptor, existing.st_uid, existing.st_gid)
    os.fchmod(descriptor, stat.S_IMODE(existing.st_mode))  # after chown, which may clear bits


def _owner(descriptor: int) -> tuple[int, int]:
    status = os.fstat(descriptor)
    return status.st_uid, status.st_gid
