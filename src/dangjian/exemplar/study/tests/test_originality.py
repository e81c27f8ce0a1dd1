"""The pure functions of the originality check: shingles, MinHash, bands, passages."""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.exemplar.study import originality as o

from .conftest import ESSAY, OTHER

CHINESE = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1)
ANY_TEXT = st.text(max_size=400)


def test_normalising_drops_punctuation_spaces_and_width():
    assert o.normalise("学习，  强国！ＡＢ１２") == "学习强国ab12"


def test_punctuation_changes_do_not_hide_a_copy():
    disguised = ESSAY.replace("，", " ").replace("。", "；")
    a, b = o.shingles(o.normalise(ESSAY)), o.shingles(o.normalise(disguised))
    assert o.jaccard(a, b) == 1.0
    assert o.text_bands(ESSAY) == o.text_bands(disguised)


@given(ANY_TEXT)
def test_normalise_with_map_points_back_to_the_source_characters(text):
    normalised, positions = o.normalise_with_map(text)
    assert len(normalised) == len(positions)
    assert positions == sorted(positions)
    for char, index in zip(normalised, positions, strict=True):
        assert char in o.normalise(text[index])


@given(CHINESE)
def test_signature_is_deterministic_and_has_every_bin_filled(text):
    sig = o.signature(o.shingles(o.normalise(text)))
    assert sig is not None and len(sig) == o.NUM_HASHES
    assert sig == o.signature(o.shingles(o.normalise(text)))
    assert all(v < (1 << 64) - 1 for v in sig)
    assert len(o.bands(sig)) == o.BANDS


def test_an_empty_text_has_no_signature_and_no_bands():
    assert o.signature(set()) is None
    assert o.text_bands("，。！ ") == []


@given(
    st.sets(st.text(min_size=5, max_size=5), max_size=60),
    st.sets(st.text(min_size=5, max_size=5), max_size=60),
)
def test_jaccard_and_containment_are_symmetric_and_bounded(a, b):
    assert o.jaccard(a, b) == o.jaccard(b, a)
    assert 0 <= o.jaccard(a, b) <= o.containment(a, b) <= 1


def test_band_hashes_fit_a_signed_bigint():
    for _no, h in o.text_bands(ESSAY):
        assert -(1 << 63) <= h < (1 << 63)


def _random_text(rng, n):
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n))


def test_minhash_estimates_jaccard_within_a_tolerance():
    rng = random.Random(5)
    errors = []
    for _ in range(40):
        base = _random_text(rng, 600)
        other = base[: rng.randint(100, 500)] + _random_text(rng, 300)
        a, b = o.shingles(o.normalise(base)), o.shingles(o.normalise(other))
        estimate = o.estimated_jaccard(o.signature(a), o.signature(b))
        errors.append(abs(estimate - o.jaccard(a, b)))
    assert sum(errors) / len(errors) < 0.06


def test_near_copies_share_a_band_and_unrelated_texts_do_not():
    rng = random.Random(7)
    found = unrelated = 0
    for _ in range(50):
        base = _random_text(rng, 500)
        copy = base[:400] + _random_text(rng, 60)  # 80 % copied
        if set(o.text_bands(base)) & set(o.text_bands(copy)):
            found += 1
        if set(o.text_bands(base)) & set(o.text_bands(_random_text(rng, 500))):
            unrelated += 1
    assert found == 50
    assert unrelated == 0


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(CHINESE.filter(lambda t: len(t) >= 5), CHINESE, CHINESE)
def test_a_copied_stretch_is_found_in_both_texts(shared, before, after):
    mine = before + "，" + shared + "。"
    theirs = "前言" + shared + after
    passages = o.matching_passages(mine, theirs)
    assert passages
    for p in passages:
        assert o.normalise(mine[p.a_start : p.a_end]) == o.normalise(theirs[p.b_start : p.b_end])
        assert p.length >= o.NGRAM
    assert sum(p.length for p in passages) >= len(o.normalise(shared))


@given(ANY_TEXT, st.lists(st.tuples(st.integers(0, 400), st.integers(0, 400)), max_size=6))
def test_segments_rebuild_the_text_and_mark_only_the_spans(text, spans):
    spans = [(min(a, b, len(text)), min(max(a, b), len(text))) for a, b in spans]
    pieces = o.segments(text, spans)
    assert "".join(piece for piece, _shared in pieces) == text
    marked = {i for a, b in spans for i in range(a, b)}
    cursor = 0
    for piece, shared in pieces:
        for i in range(cursor, cursor + len(piece)):
            assert (i in marked) == shared
        cursor += len(piece)


def test_two_different_essays_hardly_overlap():
    a, b = o.shingles(o.normalise(ESSAY)), o.shingles(o.normalise(OTHER))
    assert o.containment(a, b) < 0.1
