"""Recording rule versions: national versions by date, stricter-only local supplements."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.platform.audit import events
from dangjian.rulebook.models import Rule
from dangjian.rulebook.selectors import RuleBook, applied_rule, rule_value
from dangjian.rulebook.services import rule_version_add

D = dt.date


def _add(actor, key, value, *, level="local", org=None, on=D(2026, 1, 1), reason="地方补充规定"):
    return rule_version_add(
        actor=actor,
        key=key,
        value=value,
        level=level,
        party_org=org,
        effective_from=on,
        source_document="赣州市烟草公司党委发展党员工作补充规定",
        reason=reason,
    )


def test_without_versions_the_built_in_national_value_applies(cast):
    applied = applied_rule("dev.activist_min_months", org=cast.city.east_branch)
    assert applied.value == 12
    assert "发展党员工作细则" in applied.citation


def test_a_stricter_local_supplement_governs_the_issuing_subtree_only(cast):
    _add(cast.office, "dev.application_min_months", "6", org=cast.city.committee)
    _add(cast.office, "dev.activist_min_months", "18", org=cast.city.east_branch)
    on = D(2026, 6, 1)
    assert rule_value("dev.application_min_months", on=on, org=cast.city.west_branch) == 6
    assert rule_value("dev.activist_min_months", on=on, org=cast.city.east_group) == 18
    assert rule_value("dev.activist_min_months", on=on, org=cast.city.west_branch) == 12
    applied = applied_rule("dev.activist_min_months", on=on, org=cast.city.east_branch)
    assert applied.citation.endswith("（东湖县局党支部补充规定）")
    # Before it took effect the national rule governed.
    assert (
        rule_value("dev.activist_min_months", on=D(2025, 12, 31), org=cast.city.east_branch) == 12
    )
    assert events(verb="rule.version_add").count() == 2


def test_a_looser_supplement_is_refused_citing_what_governs(cast):
    with pytest.raises(ValidationError) as exc:
        _add(cast.office, "dev.activist_min_months", "6", org=cast.city.east_branch)
    message = str(exc.value.error_dict["value"])
    assert "只能比上级规定更严格" in message and "12 个月" in message
    _add(cast.office, "dev.talk_within_months", "1", org=cast.city.committee)
    _add(cast.office, "dev.activist_min_months", "18", org=cast.city.committee)
    with pytest.raises(ValidationError):
        # Stricter than national but looser than the committee's own supplement.
        _add(cast.office, "dev.activist_min_months", "15", org=cast.city.east_branch)
    assert Rule.objects.filter(key="dev.activist_min_months").count() == 1


def test_fixed_rules_take_no_local_supplement(cast):
    with pytest.raises(ValidationError) as exc:
        _add(cast.office, "dev.probation_months", "18", org=cast.city.committee)
    assert "全国统一规定" in str(exc.value)


def test_national_versions_apply_from_their_date(cast):
    _add(cast.office, "dues.back_payment_max_months", "3", level="national", on=D(2027, 1, 1))
    assert rule_value("dues.back_payment_max_months", on=D(2026, 12, 31)) == 6
    assert rule_value("dues.back_payment_max_months", on=D(2027, 1, 1)) == 3
    assert Rule.objects.get().party_org is None


def test_only_a_root_manager_records_national_versions(cast):
    with pytest.raises(ValidationError) as exc:
        _add(cast.secretary, "dev.min_age", "18", level="national")
    assert "level" in exc.value.error_dict


def test_supplements_need_a_grant_on_the_issuing_org(cast):
    with pytest.raises(ValidationError) as exc:
        _add(cast.outsider, "dev.activist_min_months", "24", org=cast.city.east_branch)
    assert "party_org" in exc.value.error_dict


def test_a_reason_is_required(cast):
    with pytest.raises(ValidationError) as exc:
        _add(cast.office, "dev.activist_min_months", "18", org=cast.city.committee, reason=" ")
    assert "reason" in exc.value.error_dict


def test_the_rule_book_answers_many_orgs_with_one_query(cast, django_assert_num_queries):
    _add(cast.office, "dev.activist_min_months", "18", org=cast.city.east_branch)
    with django_assert_num_queries(1):
        book = RuleBook.load()
    with django_assert_num_queries(0):
        values = [
            book.value("dev.activist_min_months", on=D(2026, 6, 1), org=org)
            for org in (cast.city.east_branch, cast.city.west_branch, cast.city.east_group)
        ]
    assert values == [18, 12, 18]
