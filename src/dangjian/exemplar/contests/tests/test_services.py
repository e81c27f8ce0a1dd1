"""比业绩 services: events, participants, scores, ranks, publication."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.exemplar.contests import services
from dangjian.exemplar.contests.models import Contest, Participant


def _scores(contest, entered, **by_name):
    return services.scores_record(
        actor=contest.created_by,
        contest=contest,
        scores={entered[name].pk: value for name, value in by_name.items()},
    )


def test_scoring_ranks_with_shared_ranks_and_awards(cast, contest, entered):
    _scores(contest, entered, 张三="95", 李四="95", 单雄信="80")
    rows = {p.person.name: p for p in Participant.objects.select_related("person")}
    assert (rows["张三"].rank, rows["李四"].rank, rows["单雄信"].rank) == (1, 1, 3)
    assert rows["张三"].award == rows["李四"].award == Participant.Award.FIRST
    assert rows["单雄信"].award == Participant.Award.THIRD
    assert rows["张三"].certificate_no.startswith("2026-")
    assert Contest.objects.get(pk=contest.pk).status == Contest.Status.SCORED


def test_a_bad_score_names_the_participant_and_saves_nothing(cast, contest, entered):
    with pytest.raises(ValidationError) as exc:
        _scores(contest, entered, 张三="95", 李四="120")
    assert "李四" in exc.value.message_dict["scores"][0]
    assert not Participant.objects.filter(score__isnull=False).exists()


def test_publishing_needs_every_score(cast, contest, entered):
    with pytest.raises(ValidationError):
        services.contest_publish(actor=cast.secretary, contest=contest)
    _scores(contest, entered, 张三="90", 李四="85")
    with pytest.raises(ValidationError, match="1名参赛人员没有成绩"):
        services.contest_publish(actor=cast.secretary, contest=contest)
    _scores(contest, entered, 单雄信="70")
    published = services.contest_publish(actor=cast.secretary, contest=contest)
    assert published.status == Contest.Status.PUBLISHED and published.published_at


def test_published_results_are_final(cast, contest, entered):
    _scores(contest, entered, 张三="90", 李四="85", 单雄信="70")
    services.contest_publish(actor=cast.secretary, contest=contest)
    with pytest.raises(ValidationError):
        _scores(contest, entered, 张三="10")
    with pytest.raises(ValidationError):
        services.participants_add(
            actor=cast.secretary, contest=contest, people=[cast.people.manager]
        )


def test_entering_someone_twice_is_skipped(cast, contest, entered):
    assert (
        services.participants_add(
            actor=cast.secretary, contest=contest, people=[cast.people.member]
        )
        == 0
    )


def test_outsider_cannot_touch_the_event_or_enter_his_people(cast, contest, entered):
    with pytest.raises(PermissionDenied):
        services.participants_add(
            actor=cast.outsider, contest=contest, people=[cast.people.outsider]
        )
    with pytest.raises(ValidationError):
        services.participants_add(
            actor=cast.secretary, contest=contest, people=[cast.people.outsider]
        )
    with pytest.raises(PermissionDenied):
        services.scores_record(actor=cast.outsider, contest=contest, scores={})


def test_an_event_cannot_be_organised_outside_ones_reach(cast):
    with pytest.raises(PermissionDenied):
        services.contest_save(
            actor=cast.secretary,
            contest=Contest(
                kind="contest",
                name="x",
                organiser=cast.city.west_branch,
                business_line="sales",
                held_on=dt.date(2026, 1, 1),
            ),
        )
    assert not Contest.objects.exists()


def test_a_figure_needs_its_label(cast, contest):
    contest.business_figure = Decimal("2.3")
    with pytest.raises(ValidationError) as exc:
        services.contest_save(actor=cast.secretary, contest=contest)
    assert "business_figure_label" in exc.value.message_dict


def test_changing_prize_counts_reranks_awards(cast, contest, entered):
    _scores(contest, entered, 张三="90", 李四="85", 单雄信="70")
    contest.refresh_from_db()
    contest.first_prizes = 2
    services.contest_save(actor=cast.secretary, contest=contest)
    assert Participant.objects.get(pk=entered["李四"].pk).award == Participant.Award.FIRST
