"""Results: weighted scores from the sheets, parts, ranks, response rates, proposals and the
leniency check — computed in SQL (the same statements run on SQLite and PostgreSQL)."""

from decimal import Decimal

from dangjian.appraisal.grading import services
from dangjian.appraisal.grading.models import (
    GradeDecision,
    GradingPolicy,
    LeniencyFlag,
    MemberResult,
    ResultPart,
)

from .conftest import make_campaign, rate


def results_of(campaign):
    return {r.person.name: r for r in MemberResult.objects.filter(campaign=campaign)}


def test_sheet_score_weights_criteria_and_kinds_weight_the_parts(cast, rated):
    services.results_compute(actor=cast.office, campaign=rated.campaign)
    li = results_of(rated.campaign)["李四"]
    # customer (100 + 80) / 2 = 90, peer 60, self 100 → (40·90 + 40·60 + 20·100) / 100
    assert li.score == Decimal("80.00")
    assert li.sheets == 4
    parts = {p.kind: p for p in li.parts.all()}
    assert parts["customer"].mean == Decimal("90.00")
    assert parts["customer"].sheets == 2
    assert parts["peer"].mean == Decimal("60.00")
    assert parts["self"].mean == Decimal("100.00")


def test_criterion_weights_inside_a_sheet(cast, campaign):
    rate(campaign, cast.people.member, "self", [5, 2])  # (2·5 + 1·2) / 3 = 4 → 80 %
    services.results_compute(actor=cast.office, campaign=campaign)
    li = results_of(campaign)["李四"]
    assert li.score == Decimal("80.00")
    criteria = li.parts.get(kind="self").criteria
    by_name = {c.name: criteria[str(c.pk)] for c in campaign.criteria.all()}
    assert float(by_name["服务态度"]) == 100.0
    assert float(by_name["敬业精神"]) == 40.0


def test_a_member_without_sheets_of_a_kind_is_scored_on_the_kinds_he_has(cast, rated):
    services.results_compute(actor=cast.office, campaign=rated.campaign)
    assert results_of(rated.campaign)["张三"].score == Decimal("80.00")


def test_an_unrated_member_has_no_score_and_no_rank(cast, rated):
    services.results_compute(actor=cast.office, campaign=rated.campaign)
    zhao = results_of(rated.campaign)["赵六"]
    assert zhao.score is None
    assert zhao.rank_company is None and zhao.rank_branch is None
    assert zhao.proposed == ""


def test_ties_share_a_rank_in_branch_and_company(cast, rated):
    services.results_compute(actor=cast.office, campaign=rated.campaign)
    r = results_of(rated.campaign)
    assert (r["单雄信"].rank_branch, r["李四"].rank_branch, r["张三"].rank_branch) == (1, 2, 2)
    assert (r["单雄信"].rank_company, r["李四"].rank_company, r["张三"].rank_company) == (1, 2, 2)
    assert r["钱七"].rank_company == 4
    assert r["钱七"].rank_branch == 1
    assert r["李四"].branch_size == 3


def test_excluded_sheets_do_not_count(cast, rated):
    rated.sheets.peer.excluded = True
    rated.sheets.peer.save()
    services.results_compute(actor=cast.office, campaign=rated.campaign)
    li = results_of(rated.campaign)["李四"]
    # customer 90, self 100 → (40·90 + 20·100) / 60
    assert li.score == Decimal("93.33")
    assert not li.parts.get(kind="peer").sheets


def test_response_rates_count_expected_sheets(cast, rated):
    customer = cast.customers.east_bureau
    customer.courier = cast.people.member
    customer.save()
    services.results_compute(actor=cast.office, campaign=rated.campaign)
    li = results_of(rated.campaign)["李四"]
    parts = {p.kind: p for p in li.parts.all()}
    assert parts["customer"].expected == 1  # one token of a customer he serves
    assert parts["peer"].expected == 2  # two other members of 东湖
    assert parts["peer"].response_rate == Decimal("50.0")
    assert parts["self"].expected == 1
    # 张三 did no self-assessment: the part is there with no sheets (0 % response).
    zhang = results_of(rated.campaign)["张三"].parts.get(kind="self")
    assert zhang.sheets == 0 and zhang.response_rate == Decimal("0.0")


def test_probationary_members_are_never_proposed_excellent(cast, rated):
    services.results_compute(actor=cast.office, campaign=rated.campaign)
    r = results_of(rated.campaign)
    assert r["单雄信"].score == Decimal("100.00")
    assert r["单雄信"].proposed == "qualified"
    assert r["钱七"].proposed == "unqualified"


def test_at_most_a_third_of_a_branch_is_proposed_excellent(cast, campaign):
    p = cast.people
    for person in (p.member, p.secretary):
        rate(campaign, person, "self", [5, 5])
    GradingPolicy.objects.create(campaign=campaign, excellent_min=90)
    services.results_compute(actor=cast.office, campaign=campaign)
    r = results_of(campaign)
    # 东湖 has 3 members: one 优秀 at most; the better (here: tie, lower id) keeps it.
    proposed = sorted(r[n].proposed for n in ("李四", "张三"))
    assert proposed == ["excellent", "qualified"]


def test_recomputing_keeps_decisions_and_rewrites_parts(cast, rated):
    services.results_compute(actor=cast.office, campaign=rated.campaign)
    li = results_of(rated.campaign)["李四"]
    GradeDecision.objects.create(
        result=li, grade="qualified", body="committee", decided_on="2026-11-21", reason="x"
    )
    services.results_compute(actor=cast.office, campaign=rated.campaign)
    assert GradeDecision.objects.get().result_id == li.pk
    assert ResultPart.objects.filter(result=li).count() == 3


def test_a_rater_giving_everyone_the_same_score_is_flagged(cast, campaign):
    p = cast.people
    GradingPolicy.objects.create(campaign=campaign, leniency_min_sheets=2)
    rate(campaign, p.member, "peer", [4, 4], rater=p.secretary)
    rate(campaign, p.probationary, "peer", [4, 4], rater=p.secretary)
    rate(campaign, p.secretary, "peer", [5, 5], rater=p.member)
    rate(campaign, p.probationary, "peer", [3, 3], rater=p.member)
    services.results_compute(actor=cast.office, campaign=campaign)
    flag = LeniencyFlag.objects.get()
    assert flag.rater == p.secretary
    assert flag.sheets == 2 and flag.score == Decimal("80.00")
    # Found again on the next run: still one flag.
    services.results_compute(actor=cast.office, campaign=campaign)
    assert LeniencyFlag.objects.count() == 1


def test_tokens_and_devices_are_raters_too(cast, campaign):
    from .conftest import token_for

    GradingPolicy.objects.create(campaign=campaign, leniency_min_sheets=2)
    token = token_for(campaign, cast.customers.east)
    rate(campaign, cast.people.member, "customer", [5, 5], token=token)
    rate(campaign, cast.people.secretary, "customer", [5, 5], token=token)
    rate(campaign, cast.people.member, "public", [1, 1], device="d" * 64)
    rate(campaign, cast.people.secretary, "public", [1, 1], device="d" * 64)
    services.results_compute(actor=cast.office, campaign=campaign)
    assert LeniencyFlag.objects.filter(token=token).exists()
    assert LeniencyFlag.objects.filter(device_hash="d" * 64).exists()


def test_results_cover_only_the_campaigns_subtree(cast):
    campaign = make_campaign(cast.city.east_branch, name="东湖支部三评")
    services.results_compute(actor=cast.office, campaign=campaign)
    assert set(results_of(campaign)) == {"张三", "李四", "单雄信"}


def test_hundred_point_scale_is_already_a_percent(cast):
    campaign = make_campaign(cast.city.committee, scale="hundred", weights={"leader": 100})
    rate(campaign, cast.people.member, "leader", [90, 60])  # (2·90 + 60) / 3 = 80
    services.results_compute(actor=cast.office, campaign=campaign)
    assert results_of(campaign)["李四"].score == Decimal("80.00")


def test_the_run_keeps_the_summary_for_the_charts(cast, rated):
    run = services.results_compute(actor=cast.office, campaign=rated.campaign)
    assert run.members == 5
    assert run.sheets == 7
    assert run.summary["kinds"]["customer"]["sheets"] == 2
    assert sum(n for _low, n in run.summary["histogram"]) == 4
    assert {b[0] for b in run.summary["branches"]} == {
        cast.city.east_branch.pk,
        cast.city.west_branch.pk,
    }
