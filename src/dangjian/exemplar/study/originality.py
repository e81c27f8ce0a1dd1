"""The originality check of 心得体会: pure functions, no database.

A reflection is compared with every earlier one without comparing pairs:

1. ``normalise``: NFKC, lower case, only letters and digits (punctuation and spaces are what a
   copier changes first); ``normalise_with_map`` also keeps where each character came from, so
   matches can be shown in the original text.
2. ``shingles``: the set of character 5-grams of the normalised text.
3. ``signature``: a MinHash signature of ``BANDS × ROWS`` values by *one-permutation hashing*
   (each shingle hashed once with BLAKE2b, the hash picks a bin and the bin keeps its
   minimum; empty bins are filled by optimal densification — a fixed probe sequence per bin,
   the same for every text). It estimates the Jaccard similarity like ``k`` independent
   MinHashes, at the cost of one hash per shingle instead of ``k`` (pure Python stays well
   under a millisecond per reflection, which is what lets 1 M reflections be indexed).
4. ``bands``: the signature cut into ``BANDS`` bands of ``ROWS`` values, each hashed to a
   signed 64-bit ``band_hash``. The database stores ``(band_no, band_hash, reflection)`` with
   one index; two texts become *candidates* when any band is equal. With 32 bands of 3 rows
   a pair with Jaccard ``J`` is found with probability ``1 − (1 − J³)³²``: 0.99 at J = 0.5,
   0.69 at J = 0.33 (half of a same-length text copied), 0.004 at J = 0.05.
5. ``jaccard`` / ``containment`` on the candidates only (the exact figures, from the texts),
   and ``matching_passages`` for the side-by-side view.

Containment here is ``|A ∩ B| / min(|A|, |B|)``: a copied half of someone else's text and a
whole short text pasted into a longer one both score high.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

NGRAM = 5
BANDS = 32
ROWS = 3
NUM_HASHES = BANDS * ROWS
_EMPTY = (1 << 64) - 1

# Densification probes: for each bin, the other bins in a fixed pseudo-random order. Every
# text uses the same table, so equal texts fill their empty bins in the same way.
_rng = random.Random(20261124)
_PROBES: tuple[tuple[int, ...], ...] = tuple(
    tuple(_rng.sample([b for b in range(NUM_HASHES) if b != j], NUM_HASHES - 1))
    for j in range(NUM_HASHES)
)
del _rng


def _keep(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


def normalise(text: str) -> str:
    """The text as compared: NFKC, lower case, letters and digits only."""
    return "".join(c for c in unicodedata.normalize("NFKC", text or "").lower() if _keep(c))


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """``(normalised, positions)``: ``positions[i]`` is the index in ``text`` of the
    character that became ``normalised[i]`` (characters that NFKC expands map to their
    source character)."""
    kept: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text or ""):
        for piece in unicodedata.normalize("NFKC", char).lower():
            if _keep(piece):
                kept.append(piece)
                positions.append(index)
    return "".join(kept), positions


def shingles(normalised: str, n: int = NGRAM) -> set[str]:
    """Distinct character n-grams; a text shorter than ``n`` is one shingle (or none)."""
    if len(normalised) < n:
        return {normalised} if normalised else set()
    return {normalised[i : i + n] for i in range(len(normalised) - n + 1)}


@lru_cache(maxsize=1 << 18)
def shingle_hash(shingle: str) -> int:
    """A stable 64-bit hash (the same in every process, unlike ``hash()``)."""
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")


def signature(shingle_set: Iterable[str], k: int = NUM_HASHES) -> tuple[int, ...] | None:
    """The one-permutation MinHash signature of a shingle set (None for an empty set)."""
    if k != NUM_HASHES:
        raise ValueError("the densification table is built for NUM_HASHES bins")
    mins = [_EMPTY] * k
    for s in shingle_set:
        h = shingle_hash(s)
        b, v = h % k, h // k
        if v < mins[b]:
            mins[b] = v
    if all(m == _EMPTY for m in mins):
        return None
    filled = list(mins)
    for j, m in enumerate(mins):
        if m == _EMPTY:
            for probe in _PROBES[j]:
                if mins[probe] != _EMPTY:
                    filled[j] = mins[probe]
                    break
    return tuple(filled)


def bands(sig: Sequence[int], rows: int = ROWS) -> list[tuple[int, int]]:
    """``[(band_no, band_hash)]``: each band of ``rows`` values hashed to a signed int64."""
    result = []
    for band_no in range(len(sig) // rows):
        chunk = sig[band_no * rows : (band_no + 1) * rows]
        data = b"".join(v.to_bytes(8, "big") for v in chunk)
        digest = hashlib.blake2b(data, digest_size=8, person=b"band%04d" % band_no).digest()
        result.append((band_no, int.from_bytes(digest, "big", signed=True)))
    return result


def text_bands(text: str) -> list[tuple[int, int]]:
    """The LSH bands of a text (empty when it has no letters or digits)."""
    sig = signature(shingles(normalise(text)))
    return bands(sig) if sig is not None else []


def jaccard(a: set, b: set) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(a: set, b: set) -> float:
    """Shared shingles over the smaller set: 1.0 when one text lies wholly inside the other."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def estimated_jaccard(sig_a: Sequence[int], sig_b: Sequence[int]) -> float:
    """The share of equal signature positions (what LSH works from)."""
    if not sig_a or len(sig_a) != len(sig_b):
        return 0.0
    return sum(x == y for x, y in zip(sig_a, sig_b, strict=True)) / len(sig_a)


@dataclass(frozen=True)
class Passage:
    """A shared stretch: ``[a_start, a_end)`` in text A and ``[b_start, b_end)`` in text B
    (indexes into the original texts), ``length`` in normalised characters."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    length: int


def matching_passages(text_a: str, text_b: str, n: int = NGRAM) -> list[Passage]:
    """Maximal stretches of A (normalised) that also occur in B, at least ``n`` characters,
    greedily left to right, each paired with its longest occurrence in B."""
    norm_a, map_a = normalise_with_map(text_a)
    norm_b, map_b = normalise_with_map(text_b)
    if len(norm_a) < n or len(norm_b) < n:
        return []
    where: dict[str, list[int]] = {}
    for j in range(len(norm_b) - n + 1):
        where.setdefault(norm_b[j : j + n], []).append(j)
    passages: list[Passage] = []
    i = 0
    while i <= len(norm_a) - n:
        starts = where.get(norm_a[i : i + n])
        if not starts:
            i += 1
            continue
        best_len, best_j = 0, 0
        for j in starts[:32]:  # a shingle repeated everywhere in B: the first few suffice
            length = n
            while (
                i + length < len(norm_a)
                and j + length < len(norm_b)
                and norm_a[i + length] == norm_b[j + length]
            ):
                length += 1
            if length > best_len:
                best_len, best_j = length, j
        passages.append(
            Passage(
                map_a[i],
                map_a[i + best_len - 1] + 1,
                map_b[best_j],
                map_b[best_j + best_len - 1] + 1,
                best_len,
            )
        )
        i += best_len
    return passages


def segments(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut into ``(piece, shared)`` runs for display (templates escape each piece)."""
    marks = sorted((s, e) for s, e in spans if e > s)
    merged: list[list[int]] = []
    for start, end in marks:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    result: list[tuple[str, bool]] = []
    cursor = 0
    for start, end in merged:
        if start > cursor:
            result.append((text[cursor:start], False))
        result.append((text[start:end], True))
        cursor = end
    if cursor < len(text):
        result.append((text[cursor:], False))
    return result
