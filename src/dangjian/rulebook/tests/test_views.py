"""The rule pages: every role reads the rules; the office records versions."""

from dangjian.rulebook.models import Rule


def test_everyone_reads_the_rule_table(cast, login):
    page = login(cast.member).get("/rules/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "确定发展对象前任积极分子时长" in text and "12 个月" in text
    assert "≤3,000 元 0.5%" in text


def test_detail_lists_versions_and_the_built_in_value(cast, login):
    page = login(cast.secretary).get("/rules/dev.activist_min_months/")
    assert page.status_code == 200
    assert "全国（内置）" in page.content.decode()
    assert login(cast.secretary).get("/rules/no.such.rule/").status_code == 404


def test_office_records_a_local_supplement_through_the_form(cast, login):
    client = login(cast.office)
    assert client.get("/rules/dev.activist_min_months/new/").status_code == 200
    response = client.post(
        "/rules/dev.activist_min_months/new/",
        {
            "level": "local",
            "party_org": cast.city.committee.pk,
            "value": "18",
            "effective_from": "2026-01-01",
            "source_document": "市公司党委补充规定",
            "reason": "从严把握发展质量",
        },
    )
    assert response.status_code == 302
    page = client.get("/rules/dev.activist_min_months/").content.decode()
    assert "18 个月" in page and "市公司党委" in page


def test_a_looser_value_is_shown_on_the_field(cast, login):
    response = login(cast.office).post(
        "/rules/dev.activist_min_months/new/",
        {
            "level": "local",
            "party_org": cast.city.committee.pk,
            "value": "3",
            "effective_from": "2026-01-01",
            "source_document": "x",
            "reason": "y",
        },
    )
    assert response.status_code == 200
    assert "取值：地方补充规定只能比上级规定更严格" in response.content.decode()
    assert not Rule.objects.exists()


def test_outsider_sees_no_supplement_of_another_branch(cast, login):
    Rule.objects.create(
        key="dev.activist_min_months",
        value=18,
        level="local",
        party_org=cast.city.east_branch,
        effective_from="2026-01-01",
        source_document="东湖补充规定",
    )
    assert (
        "东湖补充规定"
        not in login(cast.outsider).get("/rules/dev.activist_min_months/").content.decode()
    )
    assert (
        "东湖补充规定"
        in login(cast.secretary).get("/rules/dev.activist_min_months/").content.decode()
    )


def test_members_cannot_open_the_version_form(cast, login):
    assert login(cast.member).get("/rules/dev.min_age/new/").status_code == 404
