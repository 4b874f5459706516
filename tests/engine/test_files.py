"""autodiff.files.write_atomically: whole or nothing, through links, into streams, no litter."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import BinaryIO

import pytest

from autodiff import files
from autodiff.files import write_atomically
from tests.helpers.files import (
    ENVIRONMENT,
    STUCK_WRITE,
    FifoReader,
    a_folder_for_anyone,
    as_an_unprivileged_user,
    stuck_in_a_write,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, /dev and kill are POSIX")


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_bytes_text_and_a_writing_function(tmp_path: Path) -> None:
    path = tmp_path / "data"
    assert write_atomically(path, b"\x00\xff") == path
    assert path.read_bytes() == b"\x00\xff"
    write_atomically(str(path), "ünïcode")
    assert path.read_bytes() == "ünïcode".encode()
    write_atomically(path, lambda file: file.write(b"from a function"))
    assert path.read_bytes() == b"from a function"
    assert names(tmp_path) == ["data"]


def test_an_existing_file_keeps_its_permissions_a_new_one_gets_the_umasks(
    tmp_path: Path,
) -> None:
    kept = tmp_path / "private.json"
    kept.write_text("old")
    kept.chmod(0o600)
    write_atomically(kept, "new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and kept.read_text() == "new"
    umask = os.umask(0)
    os.umask(umask)
    fresh = write_atomically(tmp_path / "fresh.txt", "x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_root_writing_a_users_file_leaves_it_the_users(tmp_path: Path) -> None:
    path = tmp_path / "theirs.json"
    path.write_text("old")
    os.chown(path, 4321, 4322)
    write_atomically(path, "new")
    status = path.stat()
    assert (status.st_uid, status.st_gid) == (4321, 4322) and path.read_text() == "new"


@pytest.mark.parametrize("failure", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_a_failure_mid_write_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, failure: BaseException
) -> None:
    path = tmp_path / "model.json"
    path.write_text("old")

    def half_then_fail(file: object) -> None:
        file.write(b"ha")  # type: ignore[attr-defined]
        raise failure

    with pytest.raises(type(failure)):
        write_atomically(path, half_then_fail)
    assert path.read_text() == "old" and names(tmp_path) == ["model.json"]


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    target = tmp_path / "real" / "model.json"
    target.write_text("old")
    link = tmp_path / "links" / "model.json"
    link.symlink_to(Path("..", "real", "model.json"))  # relative, from another directory
    chain = tmp_path / "links" / "latest"
    chain.symlink_to("model.json")  # a link to the link
    write_atomically(link, "new")
    assert target.read_text() == "new" and link.is_symlink()
    write_atomically(chain, "newer")
    assert target.read_text() == "newer" and chain.is_symlink() and link.is_symlink()
    assert names(tmp_path / "real") == ["model.json"]  # no temporary anywhere
    assert names(tmp_path / "links") == ["latest", "model.json"]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to("later.txt")
    write_atomically(link, "made")
    assert link.is_symlink() and (tmp_path / "later.txt").read_text() == "made"


def test_paths_that_name_no_file_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "to-folder").symlink_to("folder")
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    with pytest.raises(IsADirectoryError):
        write_atomically(tmp_path / "folder", "x")
    with pytest.raises(IsADirectoryError):
        write_atomically(tmp_path / "to-folder", "x")
    with pytest.raises(ValueError, match="names no file"):
        write_atomically("", "x")
    with pytest.raises(ValueError, match="names no file"):
        write_atomically(f"{tmp_path}/new/", "x")
    with pytest.raises(OSError) as caught:
        write_atomically(loop, "x")
    assert caught.value.errno == errno.ELOOP
    with pytest.raises(TypeError, match="content must be bytes, str or a function"):
        write_atomically(tmp_path / "three", 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path must be a str path"):
        write_atomically(bytes(tmp_path / "b"), "x")  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "missing" / "x.txt", "x")
    assert names(tmp_path) == ["folder", "loop", "to-folder"]
    assert names(tmp_path / "folder") == []


@pytest.mark.parametrize("length", [250, 255])
def test_the_longest_file_names_can_be_written(tmp_path: Path, length: int) -> None:
    path = tmp_path / ("n" * (length - 5) + ".json")
    write_atomically(path, "long")
    write_atomically(path, "longer")  # replacing, too
    assert path.read_text() == "longer" and names(tmp_path) == [path.name]


@posix_only
def test_a_fifo_behind_a_symlink_is_written_into_not_replaced(tmp_path: Path) -> None:
    reader = FifoReader(tmp_path)
    write_atomically(reader.link, b"through the pipe")
    assert reader.received() == b"through the pipe"
    assert stat.S_ISFIFO(reader.fifo.lstat().st_mode) and reader.link.is_symlink()
    assert names(tmp_path) == ["link-to-pipe", "pipe"]


@posix_only
def test_a_character_device_is_written_into_not_replaced() -> None:
    write_atomically("/dev/null", b"nothing")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@posix_only
@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout")
def test_dev_stdout_is_the_process_standard_output_after_what_it_printed(
    tmp_path: Path,
) -> None:
    code = (
        "from autodiff.files import write_atomically\n"
        "print('printed first', flush=True)\n"
        "write_atomically('/dev/stdout', b'then the drawing')\n"
    )
    command = [sys.executable, "-c", code]
    piped = subprocess.run(command, capture_output=True, env=ENVIRONMENT, timeout=60)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == b"printed first\nthen the drawing"
    redirected = tmp_path / "out.txt"
    with open(redirected, "wb") as out:  # as `> out.txt` in a shell
        done = subprocess.run(command, stdout=out, env=ENVIRONMENT, timeout=60)
    assert done.returncode == 0
    assert redirected.read_bytes() == b"printed first\nthen the drawing"
    assert names(tmp_path) == ["out.txt"]


@posix_only
def test_a_killed_writer_leaves_a_temporary_that_the_next_write_removes(tmp_path: Path) -> None:
    path = tmp_path / ("m" * 245 + ".json")  # a long name, too
    other = tmp_path / "other.json"
    path.write_text("old")
    writers = [stuck_in_a_write(STUCK_WRITE, str(file)) for file in (path, other)]
    try:
        write_atomically(path, "meanwhile")  # a writer still running keeps its temporary
        assert path.read_text() == "meanwhile" and len(names(tmp_path)) == 3
    finally:
        for writer in writers:
            writer.kill()  # kill -9: no handler, no cleaning up
            writer.wait()
    leftovers = [p for p in tmp_path.iterdir() if p != path]
    assert len(leftovers) == 2 and all(p.read_bytes() == b"half" for p in leftovers)
    assert all(len(p.name) < 120 for p in leftovers)
    write_atomically(path, "new")
    assert path.read_text() == "new"
    (left,) = (p for p in tmp_path.iterdir() if p != path)  # only the other file's remains
    write_atomically(other, "its own")
    assert names(tmp_path) == sorted([path.name, "other.json"]) and not left.exists()


def test_a_private_files_new_content_is_never_readable_by_others(tmp_path: Path) -> None:
    path = tmp_path / "secret.json"
    path.write_text("old")
    path.chmod(0o600)
    modes_while_writing = []

    def write(file: BinaryIO) -> None:
        modes_while_writing.append(stat.S_IMODE(os.fstat(file.fileno()).st_mode))
        file.write(b"new")

    write_atomically(path, write)
    assert modes_while_writing == [0o600] and path.read_text() == "new"


@posix_only
def test_a_file_the_user_may_not_write_is_kept_and_no_temporary_is_left() -> None:
    folder = a_folder_for_anyone()  # the folder is writable; the file is not
    try:
        path = folder / "locked.json"
        path.write_text("old")
        path.chmod(0o444)
        outcome = as_an_unprivileged_user(lambda: write_atomically(path, "new"))
        assert outcome.startswith("PermissionError") and str(path) in outcome
        assert path.read_text() == "old" and names(folder) == ["locked.json"]
    finally:
        shutil.rmtree(folder)


@posix_only
def test_a_folder_the_user_may_not_write_in_keeps_the_file_and_the_error_names_it() -> None:
    folder = a_folder_for_anyone()
    try:
        path = folder / "model.json"
        path.write_text("old")
        folder.chmod(0o555)
        outcome = as_an_unprivileged_user(lambda: write_atomically(path, "new"))
        assert outcome.startswith("PermissionError") and str(path) in outcome
        assert ".tmp" not in outcome  # the user's name, not the temporary's
        assert path.read_text() == "old" and names(folder) == ["model.json"]
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


@posix_only
def test_a_fifo_nobody_reads_is_an_error_after_a_short_wait_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "FIFO_READER_WAIT", 0.3)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def come_read_at_last() -> None:  # so that a writer that waits forever fails, not hangs
        descriptor = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        time.sleep(1)
        os.close(descriptor)

    rescue = threading.Timer(15, come_read_at_last)
    rescue.start()
    start = time.monotonic()
    try:
        with pytest.raises(OSError, match="no process is reading") as caught:
            write_atomically(fifo, b"into the void")
    finally:
        rescue.cancel()
    assert caught.value.errno == errno.ENXIO and str(fifo) in str(caught.value)
    assert 0.3 <= time.monotonic() - start < 10
    assert names(tmp_path) == ["pipe"] and stat.S_ISFIFO(fifo.lstat().st_mode)


@posix_only
def test_a_fifo_reader_that_comes_a_moment_later_gets_everything(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []

    def read_later() -> None:
        time.sleep(0.5)
        with open(fifo, "rb") as pipe:
            received.append(pipe.read())

    reader = threading.Thread(target=read_later, daemon=True)
    reader.start()
    write_atomically(fifo, b"x" * 200_000)  # more than a pipe holds: the writes block
    reader.join(20)
    assert received == [b"x" * 200_000]


@posix_only
@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout")
def test_dev_stdout_that_is_a_socket_is_written_too() -> None:
    import socket

    code = (
        "from autodiff.files import write_atomically\n"
        "print('printed first', flush=True)\n"
        "write_atomically('/dev/stdout', b'then the drawing')\n"
    )
    ours, theirs = socket.socketpair()  # as under a service manager or an editor's runner
    with ours, theirs:
        done = subprocess.run(
            [sys.executable, "-c", code],
            stdout=theirs,
            stderr=subprocess.PIPE,
            env=ENVIRONMENT,
            timeout=60,
        )
        theirs.close()
        received = b"".join(iter(lambda: ours.recv(4096), b""))
    assert done.returncode == 0, done.stderr
    assert received == b"printed first\nthen the drawing"


@posix_only
def test_a_socket_is_refused_with_a_message_that_says_so(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "server.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(OSError, match="is a socket") as caught:
            write_atomically(path, b"x")
    assert caught.value.filename == str(path)
    assert stat.S_ISSOCK(path.lstat().st_mode) and names(tmp_path) == ["server.sock"]
