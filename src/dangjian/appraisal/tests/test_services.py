"""Campaign setup, tokens and every kind of rating, through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from dangjian.appraisal import selectors, services
from dangjian.appraisal.models import Campaign, RaterKind, Rating, RatingToken, Score
from dangjian.people.models import Membership, Person
from dangjian.warmth.window.models import LicenceWindow

from .conftest import full_scores, make_campaign


def _draft(cast, **extra):
    today = dt.date.today()
    values = {
        "year": today.year,
        "party_org": cast.city.east_branch,
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=10),
    }
    values.update(extra)
    return Campaign(**values)


# -- setup -------------------------------------------------------------------------------------


def test_a_secretary_sets_up_his_branch_campaign_with_default_criteria(cast):
    campaign = make_campaign(cast.secretary, cast.city.east_branch, status="draft")
    assert [c.name for c in campaign.criteria.order_by("position")] == [
        "服务态度",
        "敬业精神",
        "政策水平",
        "业务技能",
    ]
    assert sum(w.weight for w in campaign.rater_weights.all()) == Decimal("100")
    assert "东湖县局党支部" in campaign.name and campaign.status == "draft"


def test_weights_not_summing_to_100_are_refused_naming_the_field(cast, weights):
    weights[RaterKind.PEER] = Decimal("25")
    with pytest.raises(ValidationError) as exc:
        services.campaign_save(
            actor=cast.office,
            campaign=_draft(cast),
            criteria=services.default_criteria(),
            weights=weights,
        )
    assert "weights" in exc.value.message_dict
    assert "105" in exc.value.message_dict["weights"][0]
    assert not Campaign.objects.exists()


def test_duplicate_criteria_and_reversed_dates_are_refused(cast, weights):
    today = dt.date.today()
    with pytest.raises(ValidationError) as exc:
        services.campaign_save(
            actor=cast.office,
            campaign=_draft(cast, ends_on=today - dt.timedelta(days=1)),
            criteria=[("服务态度", Decimal("1")), ("服务态度", Decimal("2"))],
            weights=weights,
        )
    assert set(exc.value.message_dict) >= {"criteria", "ends_on"}
    assert not Campaign.objects.exists()


def test_an_outsider_cannot_set_up_a_campaign_for_another_branch(cast, weights):
    with pytest.raises(PermissionDenied):
        services.campaign_save(
            actor=cast.outsider,
            campaign=_draft(cast),
            criteria=services.default_criteria(),
            weights=weights,
        )
    assert not Campaign.objects.exists()


def test_a_member_cannot_set_up_a_campaign(cast, weights):
    with pytest.raises(PermissionDenied):
        services.campaign_save(
            actor=cast.member,
            campaign=_draft(cast),
            criteria=services.default_criteria(),
            weights=weights,
        )
    assert not Campaign.objects.exists()


def test_an_open_campaign_keeps_its_criteria(cast, campaign, weights):
    with pytest.raises(ValidationError):
        services.campaign_save(
            actor=cast.office, campaign=campaign, criteria=[("新项目", 1)], weights=weights
        )
    assert campaign.criteria.count() == 4


def test_close_then_open_again_is_refused(cast, campaign):
    services.campaign_close(actor=cast.office, campaign=campaign)
    with pytest.raises(ValidationError):
        services.campaign_open(actor=cast.office, campaign=campaign)
    assert Campaign.objects.get().status == "closed"


# -- tokens ------------------------------------------------------------------------------------


def test_tokens_go_to_every_active_customer_in_reach_once(cast, campaign):
    result = services.tokens_write(campaign_id=campaign.pk)
    assert result["created"] == 3 and result["total"] == 3
    again = services.tokens_write(campaign_id=campaign.pk)
    assert again["created"] == 0 and RatingToken.objects.count() == 3
    campaign.refresh_from_db()
    assert campaign.tokens_total == 3
    assert campaign.token_units[str(cast.city.east_area.pk)] == 1


def test_a_branch_campaign_reaches_only_its_own_customers_and_skips_closed_shops(cast):
    cast.customers.east_bureau.is_active = False
    cast.customers.east_bureau.save()
    campaign = make_campaign(cast.secretary, cast.city.east_branch)
    services.tokens_write(campaign_id=campaign.pk)
    assert list(RatingToken.objects.values_list("customer", flat=True)) == [cast.customers.east.pk]


def test_tokens_are_long_random_and_distinct(cast, campaign):
    services.tokens_write(campaign_id=campaign.pk)
    tokens = list(RatingToken.objects.values_list("token", flat=True))
    assert len(set(tokens)) == 3 and all(len(t) == 32 for t in tokens)


def test_token_generation_runs_as_a_job(
    cast, campaign, tmp_path, django_capture_on_commit_callbacks
):
    from dangjian.platform.models import Job
    from dangjian.platform.tests.job_queue import use_queue

    with use_queue("sqlite", tmp_path) as queue:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.tokens_generate(actor=cast.office, campaign=campaign)
        assert queue.drain() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["total"] == 3


def test_a_campaign_without_customer_rating_needs_no_tokens(cast):
    campaign = make_campaign(
        cast.office,
        cast.city.committee,
        weights={"peer": Decimal("50"), "self": Decimal("50")},
    )
    with pytest.raises(ValidationError):
        services.tokens_generate(actor=cast.office, campaign=campaign)


# -- customer ratings --------------------------------------------------------------------------


def test_the_customer_rates_the_members_who_serve_him(cast, campaign, east_token):
    ratees = selectors.customer_ratees(campaign, cast.customers.east)
    assert [p.name for p in ratees] == ["王五"]
    services.rating_submit_customer(
        token=east_token, sheets={cast.people.manager.pk: (full_scores(campaign, 4), "很好")}
    )
    rating = Rating.objects.get()
    assert rating.kind == "customer" and rating.rater_id is None and rating.token == east_token
    assert Score.objects.filter(rating=rating).count() == 4
    east_token.refresh_from_db()
    assert east_token.used_at is not None


def test_window_clerks_of_the_customers_bureau_are_rated_too_when_members(cast, campaign):
    window = LicenceWindow.objects.create(unit=cast.city.east, name="东湖办证窗口")
    window.staff.set([cast.people.member, cast.people.outsider])
    ratees = selectors.customer_ratees(campaign, cast.customers.east)
    # 李四 (east member) counts; 赵六 is a member too but of the west branch — still in the
    # committee campaign; 王五 is no member here.
    assert {p.name for p in ratees} == {"李四", "赵六"}
    branch_campaign = make_campaign(cast.secretary, cast.city.east_branch)
    assert [p.name for p in selectors.customer_ratees(branch_campaign, cast.customers.east)] == [
        "李四"
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statement")
def test_the_submission_statement_allows_exactly_the_members_the_page_shows(cast, campaign):
    window = LicenceWindow.objects.create(unit=cast.city.east, name="东湖办证窗口")
    window.staff.set([cast.people.member, cast.people.outsider])
    everyone = list(Person.objects.values_list("pk", flat=True))
    for customer in (cast.customers.east, cast.customers.east_bureau, cast.customers.west):
        shown = {p.pk for p in selectors.customer_ratees(campaign, customer)}
        sql, params = selectors.customer_ratees_sql(campaign, customer, everyone)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert {row[0] for row in cursor.fetchall()} == shown, customer


def test_a_reused_token_is_refused_and_nothing_counts_twice(cast, campaign, east_token):
    sheet = {cast.people.manager.pk: (full_scores(campaign), "")}
    services.rating_submit_customer(token=east_token, sheets=sheet)
    stale = RatingToken.objects.get(pk=east_token.pk)
    stale.used_at = None  # a second request that read the token before the first committed
    with pytest.raises(ValidationError) as exc:
        services.rating_submit_customer(token=stale, sheets=sheet)
    assert "已使用" in exc.value.messages[0]
    assert Rating.objects.count() == 1 and Score.objects.count() == 4


def test_the_database_refuses_a_second_sheet_per_token_and_member(cast, campaign, east_token):
    from django.db import IntegrityError, transaction

    Rating.objects.create(
        campaign=campaign, ratee=cast.people.manager, kind="customer", token=east_token
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            campaign=campaign, ratee=cast.people.manager, kind="customer", token=east_token
        )


def test_a_score_out_of_range_is_refused_naming_the_criterion(cast, campaign, east_token):
    scores = full_scores(campaign)
    first = campaign.criteria.order_by("position").first()
    scores[first.pk] = 6
    with pytest.raises(ValidationError) as exc:
        services.rating_submit_customer(
            token=east_token, sheets={cast.people.manager.pk: (scores, "")}
        )
    key = f"s-{cast.people.manager.pk}-{first.pk}"
    assert exc.value.message_dict[key] == ["服务态度：分数须在1–5之间"]
    east_token.refresh_from_db()
    assert east_token.used_at is None and not Rating.objects.exists()


def test_a_hundred_point_campaign_takes_0_to_100(cast):
    campaign = make_campaign(cast.office, cast.city.committee, scale="hundred")
    ratee = cast.people.member
    services.rating_submit(
        actor=cast.member,
        campaign=campaign,
        ratee=ratee,
        kind="self",
        raw=full_scores(campaign, 0),
        comment="",
    )
    with pytest.raises(ValidationError):
        services.rating_submit(
            actor=cast.member,
            campaign=campaign,
            ratee=ratee,
            kind="self",
            raw=full_scores(campaign, 101),
            comment="",
        )


def test_a_closed_campaign_refuses_the_token(cast, campaign, east_token):
    services.campaign_close(actor=cast.office, campaign=campaign)
    east_token.campaign.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.rating_submit_customer(
            token=east_token, sheets={cast.people.manager.pk: (full_scores(campaign), "")}
        )
    assert "截止" in exc.value.messages[0]


def test_an_expired_campaign_refuses_ratings(cast, campaign, east_token):
    later = campaign.ends_on + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.rating_submit_customer(
            token=east_token,
            sheets={cast.people.manager.pk: (full_scores(campaign), "")},
            today=later,
        )
    assert "截止" in exc.value.messages[0]


def test_a_customer_cannot_rate_a_member_who_does_not_serve_him(cast, campaign, east_token):
    with pytest.raises(ValidationError):
        services.rating_submit_customer(
            token=east_token, sheets={cast.people.member.pk: (full_scores(campaign), "")}
        )
    assert not Rating.objects.exists()


def test_html_in_a_comment_is_kept_as_text(cast, campaign, east_token):
    services.rating_submit_customer(
        token=east_token,
        sheets={cast.people.manager.pk: (full_scores(campaign), "<script>alert(1)</script>")},
    )
    assert Rating.objects.get().comment == "<script>alert(1)</script>"


def test_a_comment_too_long_is_refused(cast, campaign, east_token):
    with pytest.raises(ValidationError) as exc:
        services.rating_submit_customer(
            token=east_token, sheets={cast.people.manager.pk: (full_scores(campaign), "长" * 501)}
        )
    assert f"c-{cast.people.manager.pk}" in exc.value.message_dict


# -- public ------------------------------------------------------------------------------------


def test_public_rating_counts_once_per_device_and_member(cast, campaign):
    args = {
        "campaign": campaign,
        "ratee": cast.people.member,
        "raw": full_scores(campaign),
        "comment": "",
    }
    services.rating_submit_public(device="a" * 32, **args)
    with pytest.raises(ValidationError) as exc:
        services.rating_submit_public(device="a" * 32, **args)
    assert "只能评一次" in exc.value.messages[0]
    services.rating_submit_public(device="b" * 32, **args)
    assert Rating.objects.filter(kind="public").count() == 2
    assert all(len(r.device_hash) == 64 for r in Rating.objects.all())
    assert not Rating.objects.filter(device_hash__contains="a" * 32).exists()


def test_public_rating_of_someone_outside_the_campaign_is_refused(cast):
    campaign = make_campaign(cast.secretary, cast.city.east_branch)
    with pytest.raises(ValidationError):
        services.rating_submit_public(
            campaign=campaign,
            ratee=cast.people.west_member,
            raw=full_scores(campaign),
            comment="",
            device="c" * 32,
        )


# -- peer, leader, self ------------------------------------------------------------------------


def test_a_member_rates_a_peer_of_his_branch_once(cast, campaign):
    args = {
        "actor": cast.member,
        "campaign": campaign,
        "ratee": cast.people.secretary,
        "kind": "peer",
        "raw": full_scores(campaign),
        "comment": "",
    }
    rating = services.rating_submit(**args)
    assert rating.rater == cast.people.member and rating.rater_user == cast.member
    with pytest.raises(ValidationError):
        services.rating_submit(**args)
    assert Rating.objects.count() == 1


def test_a_member_cannot_rate_himself_as_a_peer(cast, campaign):
    with pytest.raises(ValidationError) as exc:
        services.rating_submit(
            actor=cast.member,
            campaign=campaign,
            ratee=cast.people.member,
            kind="peer",
            raw=full_scores(campaign),
            comment="",
        )
    assert "不能评议自己" in exc.value.messages[0]
    assert not Rating.objects.exists()


def test_peers_are_only_in_the_same_branch(cast, campaign):
    with pytest.raises(ValidationError):
        services.rating_submit(
            actor=cast.member,
            campaign=campaign,
            ratee=cast.people.west_member,
            kind="peer",
            raw=full_scores(campaign),
            comment="",
        )


def test_the_secretary_comments_as_leader_but_a_member_cannot(cast, campaign):
    services.rating_submit(
        actor=cast.secretary,
        campaign=campaign,
        ratee=cast.people.member,
        kind="leader",
        raw=full_scores(campaign, 4),
        comment="工作扎实",
    )
    with pytest.raises(ValidationError):
        services.rating_submit(
            actor=cast.member,
            campaign=campaign,
            ratee=cast.people.secretary,
            kind="leader",
            raw=full_scores(campaign),
            comment="",
        )
    with pytest.raises(ValidationError):  # the west secretary leads nobody in 东湖
        services.rating_submit(
            actor=cast.outsider,
            campaign=campaign,
            ratee=cast.people.member,
            kind="leader",
            raw=full_scores(campaign),
            comment="",
        )


def test_a_leader_without_a_person_record_comments_once(cast, campaign):
    from dangjian.accounts.roles import Role
    from dangjian.conftest import make_user

    leader = make_user("boss", (Role.LEADER, cast.city.committee))
    args = {
        "actor": leader,
        "campaign": campaign,
        "ratee": cast.people.member,
        "kind": "leader",
        "raw": full_scores(campaign),
        "comment": "",
    }
    services.rating_submit(**args)
    with pytest.raises(ValidationError):
        services.rating_submit(**args)


def test_self_assessment_is_for_oneself_only(cast, campaign):
    services.rating_submit(
        actor=cast.member,
        campaign=campaign,
        ratee=cast.people.member,
        kind="self",
        raw=full_scores(campaign),
        comment="",
    )
    with pytest.raises(ValidationError):
        services.rating_submit(
            actor=cast.member,
            campaign=campaign,
            ratee=cast.people.secretary,
            kind="self",
            raw=full_scores(campaign),
            comment="",
        )


def test_a_kind_the_campaign_does_not_take_is_refused(cast):
    campaign = make_campaign(
        cast.office,
        cast.city.committee,
        weights={"customer": Decimal("60"), "leader": Decimal("40")},
    )
    with pytest.raises(ValidationError):
        services.rating_submit(
            actor=cast.member,
            campaign=campaign,
            ratee=cast.people.secretary,
            kind="peer",
            raw=full_scores(campaign),
            comment="",
        )


def test_pending_lists_self_and_peers_and_marks_what_is_done(cast, campaign):
    services.rating_submit(
        actor=cast.member,
        campaign=campaign,
        ratee=cast.people.secretary,
        kind="peer",
        raw=full_scores(campaign),
        comment="",
    )
    (section,) = selectors.pending_for(cast.member)
    rows = {(r["kind"], r["ratee"].name): r["done"] for r in section["rows"]}
    assert rows == {
        ("self", "李四"): False,
        ("peer", "张三"): True,
        ("peer", "单雄信"): False,
    }
    assert section["todo"] == 2


def test_the_secretary_also_sees_his_members_to_comment_on(cast, campaign):
    (section,) = selectors.pending_for(cast.secretary)
    leader_rows = {r["ratee"].name for r in section["rows"] if r["kind"] == "leader"}
    assert leader_rows == {"李四", "单雄信"}


def test_figures_count_sheets_per_kind_and_branch(cast, campaign, east_token):
    services.rating_submit_customer(
        token=east_token, sheets={cast.people.manager.pk: (full_scores(campaign), "")}
    )
    services.rating_submit(
        actor=cast.member,
        campaign=campaign,
        ratee=cast.people.member,
        kind="self",
        raw=full_scores(campaign),
        comment="",
    )
    campaign.refresh_from_db()
    figures = selectors.campaign_figures(cast.office, campaign)
    east = next(r for r in figures["branches"] if r["branch"] == cast.city.east_branch)
    assert east["counts"]["customer"] == 1 and east["counts"]["self"] == 1
    assert east["tokens"] == 2 and east["tokens_used"] == 1 and east["customer_rate"] == 50.0
    assert east["members"] == 4
    # The east secretary sees only his branch in the committee's campaign.
    assert [
        r["branch"] for r in selectors.campaign_figures(cast.secretary, campaign)["branches"]
    ] == [cast.city.east_branch]


def test_a_branch_secretary_sees_the_company_campaign_above_him(cast, campaign):
    assert campaign in selectors.campaigns_visible(cast.secretary)
    assert campaign not in selectors.campaigns_visible(cast.member)
    assert campaign not in selectors.campaigns_visible(cast.manager)


def test_memberships_decide_who_is_rated(cast, campaign):
    assert set(selectors.campaign_members(campaign).values_list("name", flat=True)) == {
        "张三",
        "李四",
        "单雄信",
        "赵六",
        "钱七",
    }
    assert Membership.objects.count() == 5
