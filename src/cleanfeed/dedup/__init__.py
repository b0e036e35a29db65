"""Near-duplicate detection: exact hashes, one-permutation MinHash + LSH, verified matches.

>>> from cleanfeed.dedup import Deduplicator
>>> with Deduplicator(mode="near", threshold=0.7) as dedup:   # or index="seen.sqlite"
...     marked = list(dedup(articles))                          # doctest: +SKIP

See docs/dedup.md for the method, the canonical rule and the persistent index.
"""

from cleanfeed.dedup.deduplicator import (
    DEFAULT_THRESHOLD,
    MODES,
    Deduplicator,
    Mode,
    as_reject,
    canonical_key,
)
from cleanfeed.dedup.fingerprints import Fingerprints, band_keys, fingerprint
from cleanfeed.dedup.index import IndexMismatchError, MemoryIndex, SqliteIndex
from cleanfeed.dedup.normalize import NORMALISER_VERSION, normalise
from cleanfeed.dedup.params import DedupParams

__all__ = [
    "DEFAULT_THRESHOLD", "MODES", "NORMALISER_VERSION", "DedupParams", "Deduplicator",
    "Fingerprints", "IndexMismatchError", "MemoryIndex", "Mode", "SqliteIndex", "as_reject",
    "band_keys", "canonical_key", "fingerprint", "normalise",
]
