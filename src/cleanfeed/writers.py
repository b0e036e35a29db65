"""Writers: JSONL, written atomically when the target is a file."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any


def dumps(record: dict[str, Any]) -> str:
    """One JSONL line: stable key order as given, UTF-8, lone surrogates escaped not fatal."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "backslashreplace").decode("utf-8")


@contextmanager
def atomic_text(path: str | os.PathLike[str] | None) -> Iterator[IO[str]]:
    """A text handle that becomes ``path`` only when the block succeeds (temp file + rename).

    ``None`` or ``-`` means stdout, written as it goes.
    """
    if path is None or str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


class JsonlWriter:
    """Writes records with a ``to_dict()`` as JSON lines; use as a context manager."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = path
        self.count = 0
        self._cm = atomic_text(path)
        self._fh: IO[str] | None = None

    def __enter__(self) -> JsonlWriter:
        self._fh = self._cm.__enter__()
        return self

    def write(self, record: Any) -> None:
        assert self._fh is not None, "use JsonlWriter as a context manager"
        self._fh.write(dumps(record.to_dict()))
        self._fh.write("\n")
        self.count += 1

    def __exit__(self, *exc: Any) -> bool | None:
        return self._cm.__exit__(*exc)
