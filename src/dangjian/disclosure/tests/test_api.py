from dangjian.disclosure import services
from dangjian.disclosure.models import Notice


def test_members_read_notices_addressed_to_them(api, cast, make_notice):
    notice = make_notice(publish=True)
    services.objection_submit(
        actor=cast.member, notice=notice, content="x", anonymous=True, today=notice.starts_on
    )
    body = api(cast.member).get("/api/v1/disclosure/notices").json()
    assert [n["title"] for n in body["items"]] == [notice.title]
    assert body["items"][0]["objections_total"] is None  # counts only for the issuing side
    detail = api(cast.secretary).get(f"/api/v1/disclosure/notices/{notice.pk}").json()
    assert detail["objections_total"] == 1 and detail["objections_open"] == 1
    assert detail["ends_on"] == "2026-11-06"


def test_outsiders_get_404_and_an_empty_list(api, cast, make_notice):
    notice = make_notice(publish=True)
    client = api(cast.outsider)
    assert client.get(f"/api/v1/disclosure/notices/{notice.pk}").status_code == 404
    assert client.get("/api/v1/disclosure/notices").json()["count"] == 0


def test_filters(api, cast, make_notice):
    make_notice(publish=True)
    make_notice(kind=Notice.Kind.PARTY_AFFAIRS, title="党费收缴情况公开")
    body = api(cast.secretary).get("/api/v1/disclosure/notices?kind=party_affairs").json()
    assert [n["title"] for n in body["items"]] == ["党费收缴情况公开"]
