"""Writing files so that a failure leaves nothing half-written.

Everything is rendered to bytes in memory first; a file then appears by an atomic rename of a
temporary file beside it, and a set of files (a result's directory) appears together: a new
directory is built beside the target and renamed into place, and an existing directory only ever
has the named files replaced, each by an atomic rename. Every writer of the project uses these.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_files_atomically(out_dir: str | Path, files: dict[str, bytes]) -> list[Path]:
    """Put `files` into `out_dir` so that a failure leaves `out_dir` as it was."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise FileExistsError(f"{out_dir} exists and is not a directory")
    parent = out_dir.resolve().parent
    if not parent.is_dir():
        raise FileNotFoundError(f"{parent} does not exist; create it first")
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=parent))
    try:
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; DIR should not be
        for name, data in files.items():
            with open(staging / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if not out_dir.exists():
            os.rename(staging, out_dir)
            staging = None
        else:
            for name in files:
                os.replace(staging / name, out_dir / name)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / name for name in files]


def _umask() -> int:
    """The process umask (reading it means setting it; it is put straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_file_atomically(path: str | Path, data: bytes) -> Path:
    """Write one file so that it appears complete or not at all (temp file beside it + rename)."""
    path = Path(path)
    parent = path.resolve().parent
    if not parent.is_dir():
        raise FileNotFoundError(f"{parent} does not exist; create it first")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it a normal file's mode
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None:
            os.unlink(tmp)
    return path
