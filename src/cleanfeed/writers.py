"""Writers: JSONL and Parquet, written atomically when the target is a file.

Both write the same schema: the keys of ``record.to_dict()``. :func:`open_writer` picks the
writer by the output's suffix (``.parquet`` -> Parquet, anything else -> JSONL).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any, Protocol

#: Characters Python's ``str.splitlines`` (and some JSONL readers) treat as line ends although
#: JSON allows them raw inside strings; written as escapes so one record stays one line.
#: (``str.replace`` after an ``in`` test, not ``str.translate``: a dict-table translate walks
#: the string in Python-level lookups, ~5 ms for a 13 kB non-ASCII article, measured.)
_LINE_ENDS = (("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("\x85", "\\u0085"))


def dumps(record: dict[str, Any]) -> str:
    """One JSONL line: stable key order as given, UTF-8, lone surrogates escaped not fatal,
    and no character any line splitter could break the line at."""
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _LINE_ENDS:
        if char in line:
            line = line.replace(char, escape)
    return line.encode("utf-8", "backslashreplace").decode("utf-8")


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


def _safe_str(value: str) -> str:
    """Arrow strings must be valid UTF-8: lone surrogates become ``\\udcxx`` text, as in JSONL."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _arrow_type(annotation: str) -> Any:
    """The Arrow type for a dataclass field annotation (a string under postponed evaluation).

    Derived, not hand-listed, so a field added to :class:`~cleanfeed.article.Article` gets a
    column without touching this module. Mappings and unknown types are stored as JSON text.
    """
    import pyarrow as pa

    a = annotation.replace(" ", "")
    if a in ("str", "str|None"):
        return pa.string()
    if a in ("int", "int|None"):
        return pa.int64()
    if a in ("float", "float|None"):
        return pa.float64()
    if a in ("bool", "bool|None"):
        return pa.bool_()
    if a == "tuple[str,...]":
        return pa.list_(pa.string())
    if a == "tuple[Removal,...]":
        return pa.list_(pa.struct([("cleaner", pa.string()), ("reason", pa.string()),
                                   ("text", pa.string())]))
    return pa.string()  # JSON text


def parquet_schema(record_type: type) -> Any:
    """The Arrow schema of ``record_type.to_dict()``: ``schema`` first, then its fields."""
    import pyarrow as pa

    cols = [pa.field("schema", pa.int32())]
    for f in dataclasses.fields(record_type):
        if f.name != "hints":
            cols.append(pa.field(f.name, _arrow_type(str(f.type))))
    return pa.schema(cols)


def _cell(value: Any, arrow_type: Any) -> Any:
    import pyarrow as pa

    if value is None:
        return None
    if pa.types.is_string(arrow_type):
        if isinstance(value, str):
            return _safe_str(value)
        return dumps(value) if not isinstance(value, (int, float)) else str(value)
    if pa.types.is_list(arrow_type):
        if pa.types.is_struct(arrow_type.value_type):
            return [{k: _safe_str(str(v)) for k, v in item.items()} for item in value]
        return [_safe_str(str(v)) for v in value]
    return value


class ParquetWriter:
    """Writes records with a ``to_dict()`` to a Parquet file; use as a context manager.

    Same interface and columns as :class:`JsonlWriter`: one column per ``to_dict()`` key,
    lists as Arrow lists, ``removed`` as a list of structs, ``extra`` as JSON text. The column
    set comes from the first record's type (articles or rejects; one file holds one kind).
    Rows are flushed every ``row_group_size`` records, so memory stays bounded; the file
    appears only when the block succeeds. Needs pyarrow: ``pip install 'cleanfeed[parquet]'``.
    """

    def __init__(self, path: str | os.PathLike[str], *, row_group_size: int = 1000) -> None:
        if path is None or str(path) == "-":
            raise ValueError("Parquet cannot be written to stdout; give a file name")
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:
            raise RuntimeError("writing Parquet needs pyarrow: "
                               "pip install 'cleanfeed[parquet]'") from exc
        self.path = Path(path)
        self.count = 0
        self.row_group_size = row_group_size
        self._rows: list[dict[str, Any]] = []
        self._type: type | None = None
        self._schema: Any = None
        self._writer: Any = None
        self._tmp: str | None = None

    def __enter__(self) -> ParquetWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                         dir=self.path.parent)
        os.close(fd)
        return self

    def write(self, record: Any) -> None:
        assert self._tmp is not None, "use ParquetWriter as a context manager"
        if self._type is None:
            self._type = type(record)
            self._schema = parquet_schema(self._type)
        elif type(record) is not self._type:
            raise TypeError(f"a Parquet file holds one kind of record: got "
                            f"{type(record).__name__} after {self._type.__name__}")
        data = record.to_dict()
        self._rows.append({f.name: _cell(data.get(f.name), f.type) for f in self._schema})
        self.count += 1
        if len(self._rows) >= self.row_group_size:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._writer is None:
            self._writer = pq.ParquetWriter(self._tmp, self._schema, compression="zstd")
        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        assert self._tmp is not None
        try:
            if exc_type is None:
                if self._schema is None:  # nothing written: an empty file with article columns
                    from cleanfeed.article import Article

                    self._schema = parquet_schema(Article)
                self._flush()
                self._writer.close()
                self._writer = None
                os.replace(self._tmp, self.path)
                self._tmp = None
        finally:
            if self._writer is not None:
                with suppress(Exception):
                    self._writer.close()
            if self._tmp is not None:
                with suppress(OSError):
                    os.unlink(self._tmp)


class Writer(Protocol):
    """What every writer offers: a context manager with ``write(record)`` and a ``count``."""

    count: int

    def write(self, record: Any) -> None: ...

    def __enter__(self) -> Writer: ...

    def __exit__(self, *exc: Any) -> bool | None: ...


def open_writer(path: str | os.PathLike[str] | None) -> Writer:
    """The writer for ``path`` by suffix: ``.parquet`` -> Parquet, else JSONL (``-``/None:
    stdout)."""
    if path is not None and str(path).lower().endswith(".parquet"):
        return ParquetWriter(path)
    return JsonlWriter(path)
