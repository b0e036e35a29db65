"""Readers: paths, folders or stdin in; :class:`RawRecord` (or a :class:`Reject`) out.

Each reader takes a path and :class:`ReadOptions` and yields records lazily, each with its
origin in ``source``: ``path`` for one-document files, ``path:line`` for JSONL, ``path#N`` for
the N-th feed entry or JSON array item, ``path@offset`` for a WARC record. Which reader
handles a file is chosen by its suffix in :data:`READERS` (or forced with ``format``);
folders are walked recursively in sorted order so runs are deterministic.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Literal, overload

from cleanfeed.article import RawRecord, Reject
from cleanfeed.readers.documents import RawDocument, decoded, read_html_file, read_text_file
from cleanfeed.readers.feeds import FEED_SUFFIXES, read_feed
from cleanfeed.readers.jsonl import read_json, read_jsonl
from cleanfeed.readers.options import DEFAULT_MAX_BYTES, ReadOptions
from cleanfeed.readers.presets import PRESETS, build_field_map
from cleanfeed.readers.warc import WARC_SUFFIXES, read_warc

Record = RawRecord | Reject
#: What a reader yields: a :class:`RawDocument` only with ``ReadOptions.decode_later``.
Reader = Callable[[Path, ReadOptions], Iterator[Record | RawDocument]]

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
    ".json": read_json,
    **{suffix: read_feed for suffix in FEED_SUFFIXES},
    **{suffix: read_warc for suffix in WARC_SUFFIXES},
}

#: ``format`` names for :func:`read` (the CLI's ``--format``) -> reader, overriding suffixes.
FORMATS: dict[str, Reader] = {
    "text": read_text_file,
    "html": read_html_file,
    "jsonl": read_jsonl,
    "json": read_json,
    "feed": read_feed,
    "warc": read_warc,
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


@overload
def read(
    inputs: Iterable[str | os.PathLike[str]], *, max_bytes: int = ..., preset: str | None = ...,
    field_map: Mapping[str, str] | Iterable[str] | None = ..., format: str | None = ...,
    decode_later: Literal[False] = ...,
) -> Iterator[Record]: ...


@overload
def read(
    inputs: Iterable[str | os.PathLike[str]], *, max_bytes: int = ..., preset: str | None = ...,
    field_map: Mapping[str, str] | Iterable[str] | None = ..., format: str | None = ...,
    decode_later: bool,
) -> Iterator[Record | RawDocument]: ...


def read(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    preset: str | None = None,
    field_map: Mapping[str, str] | Iterable[str] | None = None,
    format: str | None = None,
    decode_later: bool = False,
) -> Iterator[Record] | Iterator[Record | RawDocument]:
    """Yield records from files, folders (recursively) and ``-`` (stdin, read as JSONL when
    it starts with ``{``, else as one text document).

    ``preset`` (``news-please``, ``trafilatura``...) and ``field_map`` (a mapping, or
    ``FIELD=KEY`` strings that override the preset) say how JSON/JSONL keys become record
    fields; ``format`` forces one reader for every file (see :data:`FORMATS`).
    ``decode_later``: ``.txt``/``.html`` files come as undecoded :class:`RawDocument` bytes,
    for :func:`cleanfeed.parallel.imap` to decode in its workers (``RawDocument.decode()``
    gives the same record or reject as reading without it).
    Raises ``ValueError`` up front for an unknown preset, format or field.
    """
    overrides: Iterable[str]
    if isinstance(field_map, Mapping):
        overrides = [f"{k}={v}" for k, v in field_map.items()]
    else:
        overrides = list(field_map or ())
    options = ReadOptions(max_bytes=max_bytes, field_map=build_field_map(preset, overrides),
                          decode_later=decode_later)
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; known: {', '.join(sorted(FORMATS))}")
    return _read(inputs, options, format)


def _read(inputs: Iterable[str | os.PathLike[str]], options: ReadOptions,
          format: str | None) -> Iterator[Record | RawDocument]:
    forced = FORMATS[format] if format else None
    for item in inputs:
        if str(item) == "-":
            yield from read_stdin(options, format=format)
            continue
        path = Path(item)
        if path.is_dir():
            for child in _walk(path):
                reader = forced or reader_for(child)
                if reader is not None:  # unknown files inside folders are skipped, not rejected
                    yield from _safe(reader, child, options)
        elif not path.exists():
            yield Reject(source=str(path), reason="no such file or folder", stage="read")
        else:
            reader = forced or reader_for(path) or read_text_file
            yield from _safe(reader, path, options)


def _safe(reader: Reader, path: Path, options: ReadOptions) -> Iterator[Record | RawDocument]:
    """A reader that fails mid-file turns into a reject for that file, not a crash."""
    try:
        yield from reader(path, options)
    except OSError as exc:
        yield Reject(source=str(path), reason=f"cannot read: {exc.strerror or exc}", stage="read")
    except MemoryError:
        yield Reject(source=str(path), reason="out of memory reading this file", stage="read")


_FEED_START = (b"<?xml", b"<rss", b"<feed", b"<rdf:rdf")


def sniff(data: bytes) -> str:
    """The format of unnamed bytes (stdin): ``jsonl``, ``json`` (an array), ``warc``,
    ``feed`` or ``text``."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] == b"{":
        return "jsonl"
    if head[:1] == b"[":
        return "json"
    if head.startswith(b"WARC/") or data[:2] == b"\x1f\x8b":
        return "warc"
    if head.lower().startswith(_FEED_START):
        return "feed"
    return "text"


def read_stdin(options: ReadOptions | int | None = None, *, max_bytes: int | None = None,
               format: str | None = None) -> Iterator[Record]:
    """Stdin, in ``format`` or as sniffed: JSONL (starts with ``{``), a JSON array (``[``),
    WARC (``WARC/`` or gzip), a feed (``<?xml``/``<rss``/``<feed``), else one text document."""
    import tempfile

    from cleanfeed.readers.documents import record_from_bytes
    from cleanfeed.readers.feeds import records_from_feed
    from cleanfeed.readers.jsonl import iter_jsonl_lines
    from cleanfeed.readers.options import as_options

    opts = as_options(max_bytes if options is None else options)
    data = sys.stdin.buffer.read()
    kind = format or sniff(data)
    if kind == "jsonl":
        yield from iter_jsonl_lines(data.splitlines(), "<stdin>", max_bytes=opts.max_bytes,
                                    field_map=opts.field_map)
    elif kind == "feed" and len(data) <= opts.max_bytes:
        yield from records_from_feed(data, "<stdin>")
    elif kind in ("warc", "json"):  # these readers want a file: spool stdin to one
        with tempfile.TemporaryDirectory(prefix="cleanfeed-stdin-") as tmp:
            path = Path(tmp, "stdin")
            path.write_bytes(data)
            for record in FORMATS[kind](path, opts):
                if isinstance(record, RawDocument):  # never from these two readers
                    record = record.decode()
                yield dataclasses.replace(record, source=record.source.replace(str(path),
                                                                               "<stdin>", 1))
    else:
        yield record_from_bytes(data, "<stdin>", kind="html" if kind == "html" else "text",
                                max_bytes=opts.max_bytes)


__all__ = ["DEFAULT_MAX_BYTES", "FORMATS", "PRESETS", "READERS", "RawDocument", "ReadOptions",
           "Record", "build_field_map", "decoded", "read", "reader_for"]
