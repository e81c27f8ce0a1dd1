"""The scale generator of 比学习 / 比业绩 on a tiny scale tree, and its bench pages."""

from django.core.management import call_command

from dangjian.demo import bench, scale_study
from dangjian.exemplar.contests.models import Contest
from dangjian.exemplar.study import originality, services
from dangjian.exemplar.study.models import OriginalityMatch, Reflection, ReflectionBand


def test_generated_reflections_are_indexed_and_copies_flagged(db):
    call_command(
        "gen_scale", "--customers", "40", "--people", "160", "--bureaus", "2",
        "--party-years", "0",
    )  # fmt: skip
    counts = scale_study.generate(years=2, total=3000, log=lambda _m: None)
    assert counts["reflections"] == Reflection.objects.count() == 3000
    assert ReflectionBand.objects.count() == counts["reflection_bands"] == 3000 * 32
    assert counts["copies"] > 0
    flagged = Reflection.objects.filter(flagged=True).first()
    assert OriginalityMatch.objects.filter(reflection=flagged, flagged=True).exists()
    # The indexed check finds a generated copy's source among a thousand others.
    match = OriginalityMatch.objects.filter(flagged=True).select_related("source").first()
    found = services.find_similar(match.source.text, exclude_id=match.source_id)
    assert match.reflection_id in [pk for pk, _j, _c in found]
    assert originality.text_bands(match.source.text)
    assert Contest.objects.filter(status="published").exists()
    users = bench.bench_users()
    results = bench.run(repeat=1, only="比学习|比业绩", out=lambda _m: None)
    assert users and results
    assert all(r.status == 200 for r in results), [(r.label, r.status) for r in results]
    assert any("审阅页" in r.label for r in results)
