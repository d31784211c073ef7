"""Output files and directories of the commands, written all-or-nothing.

Each is checked when the command starts, before any work (an unwritable ``--json`` path is an
:class:`~gfverify.errors.InputError` at once, not after every claim has run), written to a
temporary next to its target and renamed into place when the work ends normally; an error or
an interrupt (Ctrl-C) deletes the temporary, so no half-written file is ever left behind."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from gfverify.errors import InputError


def _umask_mode(mode: int) -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mode & ~mask


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


@contextmanager
def atomic_file(target: str | None, option: str) -> Iterator[Path | None]:
    """A temporary path next to ``target`` (created now), renamed onto ``target`` when the block
    ends normally and removed otherwise; ``None`` yields ``None``. ``option`` names the
    command-line option in error messages."""
    if target is None:
        yield None
        return
    path = Path(target)
    if path.is_dir():
        raise InputError(f"{option} {target}: is a directory")
    if not path.parent.is_dir():
        raise InputError(f"{option} {target}: the directory {path.parent} does not exist")
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"{option} {target}: cannot write there ({_reason(exc)})") from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, _umask_mode(0o666))
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(f"{option} {target}: cannot write there ({_reason(exc)})") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_directory(target: str | None, option: str) -> Iterator[Path | None]:
    """A temporary directory next to ``target`` (parents created now); when the block ends
    normally it becomes ``target``, or, if ``target`` exists, each file in it is renamed into
    ``target``; otherwise it is removed. ``None`` yields ``None``."""
    if target is None:
        yield None
        return
    path = Path(target)
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} {target}: exists and is not a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    except OSError as exc:
        raise InputError(f"{option} {target}: cannot write there ({_reason(exc)})") from None
    try:
        yield temporary
        _move_into(temporary, path)
    except OSError as exc:
        raise InputError(f"{option} {target}: cannot write there ({_reason(exc)})") from None
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _move_into(source: Path, target: Path) -> None:
    """Rename the tree ``source`` onto ``target``: the whole directory when ``target`` does not
    exist, else file by file (each rename is atomic)."""
    mode = _umask_mode(0o777)
    if not target.exists():
        os.chmod(source, mode)
        os.replace(source, target)
        return
    for item in sorted(source.rglob("*")):
        destination = target / item.relative_to(source)
        if item.is_dir():
            destination.mkdir(mode=mode, exist_ok=True)
        else:
            os.replace(item, destination)
