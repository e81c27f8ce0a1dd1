"""The step form: each step shows only the fields it needs, with its rule worked out."""

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.development import rules, services
from dangjian.development.forms import StepForm, step_fields, step_hints

from .factories import DATES, open_case, walk

VOTE = {"entitled", "present", "votes_yes", "votes_no", "written_yes"}


@pytest.mark.parametrize("number", sorted(rules.STEPS))
def test_every_step_has_date_basis_and_material_and_only_its_own_fields(number):
    fields = set(step_fields(number))
    assert {"number", "occurred_on", "decision", "notes", "attachment"} <= fields
    assert ("passed" in fields) == (number in (10, 13, 17, 24))
    assert (fields >= VOTE) == (number in (15, 23))
    assert not (VOTE & fields) or number in (15, 23)
    assert ("training_days" in fields) == (number == 11)
    assert ("outcome" in fields) == (number == 23)
    assert ("exception_reason" in fields) == (number in (15, 17, 24))
    form = StepForm(number=number)
    assert set(form.fields) == fields


def test_result_labels_and_required_messages_name_the_step_field():
    form = StepForm({"number": "10", "occurred_on": "2023-08-01"}, number=10)
    assert not form.is_valid()
    assert form.fields["passed"].label == "政治审查结论"
    assert [c[1] for c in form.fields["passed"].choices] == ["—", "合格", "不合格"]
    assert "请填写政治审查结论" in form.errors["passed"][0]
    vote = StepForm({"number": "15", "occurred_on": "2023-10-10"}, number=15)
    assert not vote.is_valid()
    assert "请填写应到会有表决权的正式党员人数" in vote.errors["entitled"][0]


def test_a_bad_hidden_step_number_is_said_on_top_of_the_form():
    form = StepForm({"number": "x", "occurred_on": "2023-08-01"}, number=2)
    assert not form.is_valid()
    assert "步骤无效" in form.non_field_errors()[0]


def test_hints_work_out_the_dates_of_the_case(cast):
    case = walk(open_case(cast), cast, 6)
    facts = services.facts_for(case)
    values = services.rule_values_for(case.branch, dt.date.today())
    hints = " ".join(step_hints(7, facts, values, dt.date.today()))
    assert "12 个月以上" in hints and "最早 2023-06-01" in hints
    assert "须先公示 5 个工作日" in hints
    talk = " ".join(
        step_hints(2, services.facts_for(open_case(cast, person=None)), values, dt.date.today())
    )
    assert "1 个月内（2022-04-01 前）" in talk


def test_case_page_shows_the_next_steps_form_and_hint_only(cast, login):
    case = walk(open_case(cast), cast, 10)
    client = login(cast.secretary)
    page = client.get(reverse("development:case_detail", args=[case.pk])).content.decode()
    assert "第11步 开展集中培训" in page and "不少于 3 天或 24 学时" in page
    assert 'name="training_days"' in page
    assert 'name="entitled"' not in page and 'name="outcome"' not in page
    assert 'name="passed"' not in page


def test_after_an_assessment_the_secretary_chooses_another_or_step_7(cast, login):
    case = walk(open_case(cast), cast, 6)
    client = login(cast.secretary)
    url = reverse("development:case_detail", args=[case.pk])
    page = client.get(url).content.decode()
    assert "第6步 培养教育考察" in page and "?step=7#next-step" in page
    page = client.get(url + "?step=7").content.decode()
    assert "记录第7步 确定发展对象" in page
    assert "?step=6#next-step" in page
    # A step not among the next ones falls back to the first.
    assert "记录第6步" in client.get(url + "?step=20").content.decode()


def test_posting_the_vote_step_records_the_computed_result(cast, login):
    case = walk(open_case(cast), cast, 14)
    services.notice_publish(
        actor=cast.secretary, case=case, before_step=15, starts_on=DATES[15] - dt.timedelta(days=14)
    )
    client = login(cast.secretary)
    response = client.post(
        reverse("development:step_add", args=[case.pk]),
        {
            "number": 15,
            "occurred_on": DATES[15].isoformat(),
            "entitled": 9,
            "present": 8,
            "votes_yes": 4,
            "votes_no": 4,
        },
    )
    assert response.status_code == 302
    assert case.steps.get(number=15).passed is False  # 4 of 9 is not more than half


def test_posting_a_step_out_of_order_is_refused_with_the_rule(cast, login):
    case = open_case(cast)
    client = login(cast.secretary)
    response = client.post(
        reverse("development:step_add", args=[case.pk]),
        {"number": 7, "occurred_on": "2023-06-20"},
    )
    assert response.status_code == 422
    assert "步骤须按顺序进行：当前可记录第 2 步" in response.content.decode()
    assert case.steps.count() == 1
