"""Write output files atomically: readers see the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kg.errors import StoreError


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write a file through a temporary file and a rename, so readers never see half a file.

    Raises:
        StoreError: The file cannot be written.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:  # a full disk must not also leave half a file behind
            Path(tmp).unlink(missing_ok=True)
        raise StoreError(f"{path}: cannot write: {exc.strerror or exc}") from exc
