"""Arrays in private anonymous memory maps, for a batch's long-lived buffers.

Why: a large ``np.empty`` normally lands in the malloc heap (glibc raises its mmap threshold
after the first big free, up to 32 MiB), and a buffer that lives through a whole batch while
thousands of temporaries come and go around it pins the heap's size: freed space below it
cannot be returned, and space above it is reused only by chance. A memory-mapped buffer sits
outside the heap, costs memory only for the pages written, and goes back to the system the
moment the array is freed.
"""

from __future__ import annotations

import math
import mmap
from typing import Any

import numpy as np
import numpy.typing as npt


def anon_array(shape: tuple[int, ...], dtype: npt.DTypeLike) -> npt.NDArray[Any]:
    """A zero-filled array of ``shape`` in its own private anonymous memory map."""
    dt = np.dtype(dtype)
    count = math.prod(shape)
    buffer = mmap.mmap(-1, max(count * dt.itemsize, 1), flags=mmap.MAP_PRIVATE)
    return np.frombuffer(buffer, dtype=dt, count=count).reshape(shape)


def _mapping(array: npt.NDArray[Any]) -> mmap.mmap | None:
    """The memory map an array (or a view of one) from :func:`anon_array` lives in."""
    base: object = array
    while base is not None and not isinstance(base, mmap.mmap):
        base = getattr(base, "base", None) if not isinstance(base, memoryview) else base.obj
    return base


def release(array: npt.NDArray[Any], keep_bytes: int = 0) -> None:
    """Give the pages of ``array``'s memory map past its first ``keep_bytes`` back to the
    system now, without waiting for the array to be freed (they read as zeros afterwards).
    For an array that is not in a memory map of :func:`anon_array`, nothing."""
    mapping = _mapping(array)
    if mapping is None:
        return
    start = -(-keep_bytes // mmap.PAGESIZE) * mmap.PAGESIZE
    if start < len(mapping):
        mapping.madvise(mmap.MADV_DONTNEED, start, len(mapping) - start)


#: Rows moved per numpy pass by :func:`compact_rows`.
_MOVE_ROWS = 64


def compact_rows(array: npt.NDArray[Any], rows: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    """``array[rows]`` (``rows`` increasing) moved to the front of ``array`` itself, a block at a
    time, and the pages past it released (:func:`release`): the kept rows of a batch without
    a second copy of them. ``array`` must be C-contiguous; its other rows are lost."""
    for s in range(0, rows.size, _MOVE_ROWS):  # a row only ever moves towards the front,
        block = rows[s:s + _MOVE_ROWS]         # over rows already read
        array[s:s + block.size] = array[block]
    kept = array[:rows.size]
    release(array, kept.nbytes)
    return kept
