"""Readers: paths, folders or stdin in; :class:`RawRecord` (or a :class:`Reject`) out.

Each reader takes a path (or ``-``) and yields records lazily, each with its origin in
``source`` (``path`` for one-document files, ``path:line`` for JSONL). Which reader handles a
file is chosen by its suffix in :data:`READERS`; folders are walked recursively in sorted order
so runs are deterministic.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from cleanfeed.article import RawRecord, Reject
from cleanfeed.readers.documents import read_html_file, read_text_file
from cleanfeed.readers.jsonl import read_jsonl

Record = RawRecord | Reject
Reader = Callable[[Path, int], Iterator[Record]]

#: A single document larger than this is rejected unread (an option of :func:`read`).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

#: Suffix (lower case, longest first wins) -> reader.
READERS: dict[str, Reader] = {
    ".txt": read_text_file,
    ".text": read_text_file,
    ".md": read_text_file,
    ".html": read_html_file,
    ".htm": read_html_file,
    ".xhtml": read_html_file,
    ".jsonl": read_jsonl,
    ".jsonl.gz": read_jsonl,
    ".ndjson": read_jsonl,
}


def reader_for(path: Path) -> Reader | None:
    name = path.name.lower()
    for suffix in sorted(READERS, key=len, reverse=True):
        if name.endswith(suffix):
            return READERS[suffix]
    return None


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root, name)


def read(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Record]:
    """Yield records from files, folders (recursively) and ``-`` (stdin, read as JSONL when
    it starts with ``{``, else as one text document)."""
    for item in inputs:
        if str(item) == "-":
            yield from read_stdin(max_bytes=max_bytes)
            continue
        path = Path(item)
        if path.is_dir():
            for child in _walk(path):
                reader = reader_for(child)
                if reader is not None:  # unknown files inside folders are skipped, not rejected
                    yield from _safe(reader, child, max_bytes)
        elif not path.exists():
            yield Reject(source=str(path), reason="no such file or folder", stage="read")
        else:
            reader = reader_for(path) or read_text_file
            yield from _safe(reader, path, max_bytes)


def _safe(reader: Reader, path: Path, max_bytes: int) -> Iterator[Record]:
    """A reader that fails mid-file turns into a reject for that file, not a crash."""
    try:
        yield from reader(path, max_bytes)
    except OSError as exc:
        yield Reject(source=str(path), reason=f"cannot read: {exc.strerror or exc}", stage="read")


def read_stdin(*, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Record]:
    from cleanfeed.readers.documents import record_from_bytes
    from cleanfeed.readers.jsonl import iter_jsonl_lines

    data = sys.stdin.buffer.read()
    if data.lstrip()[:1] == b"{":
        yield from iter_jsonl_lines(data.splitlines(), "<stdin>", max_bytes=max_bytes)
    else:
        yield record_from_bytes(data, "<stdin>", kind="text", max_bytes=max_bytes)


__all__ = ["DEFAULT_MAX_BYTES", "READERS", "Record", "read", "reader_for"]
