"""No command modifies a file it was not asked to write, through any path trick.

The safe writer (``fileio.safewrite``) is tested directly against planted links,
FIFOs, sockets, devices, a read-only directory and failing system calls; then the
commands that write (``probe -o``, ``check --save-capture``, the lab's files) are
run against a real embedded lab on loopback.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from clirun import invoke
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import write_file
from dnssec_doctor.lab.state import write_anchor_files
from dnssec_doctor.model.capture import load_capture
from labthread import LabThread, start_lab

VICTIM_TEXT = "precious\n"


def umask() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Umask")), 8)


def leftovers(directory: Path, *keep: str) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file nobody asked to write, elsewhere (a planted link points at it)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    path = elsewhere / "victim"
    path.write_text(VICTIM_TEXT)
    return path


# -- the writer itself -----------------------------------------------------------------


def test_a_new_file_gets_the_data_and_the_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_file(target, b"data\n", what="capture")
    assert target.read_bytes() == b"data\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask()
    assert leftovers(tmp_path, "out.json") == []


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(0o640)
    write_file(target, b"new", what="capture")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path, "out.json") == []


def test_a_symlink_target_is_refused_and_nothing_changes(tmp_path: Path, victim: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to(victim)
    with pytest.raises(
        DoctorError, match=r"refusing to write capture .*out.json: it is a symbolic link"
    ):
        write_file(link, b"evil", what="capture")
    assert victim.read_text() == VICTIM_TEXT
    assert link.is_symlink() and os.readlink(link) == str(victim)
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "elsewhere" / "created")
    with pytest.raises(DoctorError, match="symbolic link"):
        write_file(dangling, b"evil", what="capture")
    assert not (tmp_path / "elsewhere" / "created").exists()


def test_planted_temporary_names_are_never_followed(tmp_path: Path, victim: Path) -> None:
    # the old writer used FILE.tmp: a link planted there redirected the write
    for name in ("out.json.tmp", ".out.json.tmp", f".out.json.{os.getpid()}.tmp"):
        (tmp_path / name).symlink_to(victim)
    write_file(tmp_path / "out.json", b"mine", what="capture")
    assert victim.read_text() == VICTIM_TEXT
    assert (tmp_path / "out.json").read_bytes() == b"mine"
    assert all((tmp_path / n).is_symlink() for n in ("out.json.tmp", ".out.json.tmp"))


def make_special(kind: str, path: Path) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
    elif kind == "device":
        try:  # /dev/full's numbers, made here: a regression replaces this node, not /dev/full
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        except PermissionError:
            os.mkfifo(path)  # without CAP_MKNOD: still a node that is not a regular file


@pytest.mark.parametrize("kind", ["fifo", "directory", "socket", "device"])
def test_targets_that_are_not_regular_files_are_never_replaced(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "out"
    make_special(kind, target)
    before = os.lstat(target)
    with pytest.raises(DoctorError, match=r"refusing to write capture .*not a regular file"):
        write_file(target, b"data", what="capture")
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode, after.st_rdev) == (
        before.st_ino,
        before.st_mode,
        before.st_rdev,
    )
    assert leftovers(tmp_path, "out") == []


def test_the_temporary_file_is_removed_when_the_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")

    def no_space(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(DoctorError, match=r"cannot write capture .*No space left on device"):
        write_file(target, b"new", what="capture")
    assert target.read_text() == "old"
    assert leftovers(tmp_path, "out.json") == []
    monkeypatch.undo()
    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(DoctorError, match="No space left"):
        write_file(target, b"new", what="capture")
    assert target.read_text() == "old"
    assert leftovers(tmp_path, "out.json") == []


@pytest.fixture
def read_only_directory() -> Iterator[Path]:
    """A directory the writing process may not write to, holding one file."""
    base = Path(tempfile.mkdtemp(prefix="ro-"))
    base.chmod(0o755)  # traversable by the unprivileged child below
    directory = base / "ro"
    directory.mkdir()
    (directory / "out.json").write_text("old")
    (directory / "out.json").chmod(0o666)
    directory.chmod(0o555)
    yield directory
    directory.chmod(0o755)
    for path in directory.iterdir():
        path.unlink()
    directory.rmdir()
    base.rmdir()


def test_a_read_only_directory_is_one_clear_error(read_only_directory: Path) -> None:
    # root ignores directory permissions: the write runs in a child that drops to
    # "nobody" first when the tests run as root
    target = read_only_directory / "out.json"
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        os.close(read_end)
        message = b"no error"
        try:
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            write_file(target, b"new", what="capture")
        except DoctorError as error:
            message = str(error).encode()
        except BaseException as error:  # reported, then the child ends
            message = repr(error).encode()
        os.write(write_end, message)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    assert message == f"cannot write capture {target}: Permission denied"
    assert target.read_text() == "old"
    assert leftovers(read_only_directory, "out.json") == []


# -- the commands that write -------------------------------------------------------------


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    with start_lab(names=["good-nsec"]) as running:
        yield running


def probe_args(lab: LabThread, directory: Path) -> list[str]:
    anchor = lab.anchor_file(directory)
    return ["good-nsec.test", "--root-hints", lab.root_hints, "--trust-anchor", str(anchor)]


@pytest.mark.parametrize("kind", ["symlink", "fifo", "directory", "device"])
def test_probe_refuses_an_unsafe_output_before_asking_anything(
    tmp_path: Path, victim: Path, kind: str
) -> None:
    target = tmp_path / "out.json"
    if kind == "symlink":
        target.symlink_to(victim)
    else:
        make_special(kind, target)
    # root hints nobody listens on: a refusal after probing would say "no server answered"
    run = invoke("probe", "x.test", "-o", str(target), "--root-hints", "127.0.0.1:9")
    assert run.exit_code == 3
    assert run.stderr.startswith(f"dnssec-doctor: refusing to write capture {target}: it is ")
    assert len(run.stderr.splitlines()) == 1
    assert victim.read_text() == VICTIM_TEXT
    run = invoke("check", "x.test", "--save-capture", str(target), "--root-hints", "127.0.0.1:9")
    assert run.exit_code == 3 and "refusing to write capture" in run.stderr
    assert victim.read_text() == VICTIM_TEXT


def test_probe_output_keeps_the_mode_and_ignores_planted_links(
    lab: LabThread, tmp_path: Path, victim: Path
) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(0o600)
    (tmp_path / "out.json.tmp").symlink_to(victim)
    run = invoke("probe", *probe_args(lab, tmp_path), "-o", str(target))
    assert run.exit_code == 0, run.stderr
    assert load_capture(target).name == "good-nsec.test."
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert victim.read_text() == VICTIM_TEXT
    assert leftovers(tmp_path, "out.json", "out.json.tmp", "root-anchor.ds", "elsewhere") == []


def test_probe_can_write_the_capture_to_standard_output(
    lab: LabThread, tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    from dnssec_doctor.cli.main import main

    with pytest.raises(SystemExit) as ended:
        main(["probe", *probe_args(lab, tmp_path), "-o", "-"])
    assert ended.value.code in (0, None)
    out = capfdbinary.readouterr().out
    assert json.loads(out)["name"] == "good-nsec.test."
    assert not (tmp_path / "-").exists()


def test_check_save_capture_is_never_standard_output() -> None:
    run = invoke("check", "x.test", "--save-capture", "-", "--root-hints", "127.0.0.1:9")
    assert run.exit_code == 3 and "--save-capture needs a file" in run.stderr


def test_lab_files_refuse_planted_links(tmp_path: Path, victim: Path, lab: LabThread) -> None:
    (tmp_path / "root-anchor.ds").symlink_to(victim)
    with pytest.raises(DoctorError, match=r"refusing to write lab file .*symbolic link"):
        write_anchor_files(tmp_path, lab.plan)
    assert victim.read_text() == VICTIM_TEXT
