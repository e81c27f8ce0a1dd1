import datetime as dt

from .factories import held_meeting


def test_meetings_list_and_detail_are_scoped(api, cast):
    meeting = held_meeting(
        cast.secretary, cast.city.east_branch, "general_meeting", dt.date(2026, 5, 6)
    )
    held_meeting(cast.outsider, cast.city.west_branch, "committee_meeting", dt.date(2026, 5, 7))
    body = api(cast.secretary).get("/api/v1/orglife/meetings").json()
    assert body["count"] == 1
    assert body["items"][0]["kind_display"] == "支部党员大会"
    detail = api(cast.secretary).get(f"/api/v1/orglife/meetings/{meeting.pk}").json()
    assert {a["name"] for a in detail["attendance"]} == {"张三", "李四", "单雄信"}
    assert api(cast.outsider).get(f"/api/v1/orglife/meetings/{meeting.pk}").status_code == 404


def test_meetings_filter_by_kind_and_year(api, cast):
    held_meeting(cast.secretary, cast.city.east_branch, "general_meeting", dt.date(2026, 5, 6))
    held_meeting(cast.secretary, cast.city.east_branch, "committee_meeting", dt.date(2025, 5, 6))
    client = api(cast.office)
    assert client.get("/api/v1/orglife/meetings?kind=committee_meeting").json()["count"] == 1
    assert client.get("/api/v1/orglife/meetings?year=2026").json()["count"] == 1
    other = client.get(f"/api/v1/orglife/meetings?branch={cast.city.west_branch.pk}").json()
    assert other["count"] == 0
