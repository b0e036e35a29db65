"""The parameters that define a fingerprint. Two indexes can only be compared if these match."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from cleanfeed.dedup.normalize import NORMALISER_VERSION


@dataclass(frozen=True, slots=True)
class DedupParams:
    """Fingerprint parameters (stored in every persistent index; a mismatch is an error).

    - ``shingle_size``: words per shingle. 5 keeps two write-ups of one event apart (they share
      names and phrases, rarely 5-word runs) while a copy with a few edited words still shares
      most shingles.
    - ``num_bins``: one-permutation MinHash bins (a power of two); the similarity estimate has a
      standard error of about ``sqrt(J(1-J)/num_bins)`` (0.02 at J=0.7 with 512 bins); one
      pass over the shingles whatever the number of bins.
    - ``bands`` x ``rows``: LSH banding over the first ``bands*rows`` bins. 40x5 finds a pair at
      J=0.7 with probability 0.9994 and at J=0.3 with 0.28 (false candidates are verified away).
    - ``seed``: seeds every hash function.
    - ``min_tokens``: texts with fewer words are matched by exact hash only (too few shingles
      for a meaningful similarity).
    - ``exact_max_shingles``: texts with at most this many shingles also keep their exact
      shingle set, and two such texts are compared by exact Jaccard (their signatures are
      mostly densified copies, so the estimate is noisy exactly where short articles in
      identical site chrome sit near the threshold).
    - ``normaliser``: :data:`~cleanfeed.dedup.normalize.NORMALISER_VERSION`.
    """

    shingle_size: int = 5
    num_bins: int = 512
    bands: int = 40
    rows: int = 5
    seed: int = 1
    min_tokens: int = 15
    exact_max_shingles: int = 256
    normaliser: int = NORMALISER_VERSION

    def __post_init__(self) -> None:
        if self.num_bins < 8 or self.num_bins & (self.num_bins - 1):
            raise ValueError(f"num_bins must be a power of two >= 8, not {self.num_bins}")
        if self.bands < 1 or self.rows < 1 or self.bands * self.rows > self.num_bins:
            raise ValueError(f"bands*rows ({self.bands}*{self.rows}) must be in 1..num_bins")
        if self.shingle_size < 1:
            raise ValueError("shingle_size must be >= 1")
        if self.min_tokens < self.shingle_size:
            raise ValueError("min_tokens must be >= shingle_size")

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
