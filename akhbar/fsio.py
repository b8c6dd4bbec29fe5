"""File input/output: atomic writes and JSON reading that reports locations."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import UserError


def dumps(obj: Any) -> str:
    """Canonical JSON text for files we write: UTF-8 Arabic kept readable, stable layout."""
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success rename it over ``target``.

    On any exception the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_text(target: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` newlines) to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


def write_json(target: str | os.PathLike[str], obj: Any) -> None:
    write_text(target, dumps(obj))


def swap_dir(new: Path, target: Path) -> None:
    """Replace directory ``target`` by ``new`` with two renames.

    A crash between the renames leaves ``target`` missing and ``<target>.old``
    present; :func:`recover_dir` (called before every build) puts it back.
    """
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    if old.exists():
        shutil.rmtree(old)


def recover_dir(target: Path) -> None:
    """Undo a swap interrupted between its two renames."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        if target.exists():
            shutil.rmtree(old)
        else:
            os.replace(old, target)


def emit_json(dest: str, obj: dict[str, Any]) -> None:
    """A ``--json FILE|-`` report: stdout for ``-``, else written atomically; versions first."""
    from . import BENCHMARK_VERSION
    from .schema import SCHEMA_VERSION

    text = dumps({"schema_version": SCHEMA_VERSION, "benchmark_version": BENCHMARK_VERSION, **obj})
    if dest == "-":
        sys.stdout.write(text)
    else:
        write_text(dest, text)


COMMIT_MARKER = "COMMIT"


def commit_staged(staging: Path, target: Path, names: list[str]) -> None:
    """Move ``staging/NAME`` over ``target/NAME`` for every name, as one unit even across a crash.

    Everything in ``staging`` must be complete. A marker file listing the names
    is written (atomically) first: once it exists the commit only goes forward,
    and :func:`recover_staged` finishes it after a crash; before it exists a
    crash leaves ``target`` untouched and the staging folder is discarded.
    """
    write_text(staging / COMMIT_MARKER, "\n".join(names) + "\n")
    _roll_forward(staging, target, names)


def recover_staged(staging: Path, target: Path) -> None:
    """Finish a commit that was interrupted after its marker, or discard an unfinished staging folder."""
    marker = staging / COMMIT_MARKER
    if marker.is_file():
        _roll_forward(staging, target, marker.read_text(encoding="utf-8").split())
    elif staging.exists():
        shutil.rmtree(staging)


def _roll_forward(staging: Path, target: Path, names: list[str]) -> None:
    """Each step can be repeated: whatever a crash interrupts, running this again completes it."""
    for name in names:
        new, dest = staging / name, target / name
        if new.is_dir():
            swap_dir(new, dest)
        elif new.exists():
            os.replace(new, dest)
        recover_dir(dest)
    (staging / COMMIT_MARKER).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a UTF-8 text file, or fail with one line naming the file."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, expected a file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: byte {exc.start}: not valid UTF-8; save the file as UTF-8") from None


def load_json(path: str | os.PathLike[str]) -> Any:
    """Parse a JSON file, or fail with one line naming the file, line and column."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}") from None
    except ValueError as exc:  # e.g. an integer literal longer than Python converts (4300 digits)
        raise UserError(f"{path}: invalid JSON: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise UserError(f"{path}: invalid JSON: nested too deeply") from None
