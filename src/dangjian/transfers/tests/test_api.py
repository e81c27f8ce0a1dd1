import datetime as dt

from dangjian.transfers import services
from dangjian.transfers.models import MobileMember


def test_sender_and_receiver_read_the_transfer(api, cast, issue):
    transfer = issue()
    for user in (cast.secretary, cast.outsider, cast.member):
        body = api(user).get(f"/api/v1/transfers/{transfer.pk}").json()
        assert body["number"] == "2026-0001" and body["dues_paid_through"] == "2026-09"
    listing = api(cast.outsider).get("/api/v1/transfers?direction=in").json()
    assert [t["id"] for t in listing["items"]] == [transfer.pk]
    assert api(cast.outsider).get("/api/v1/transfers?direction=out").json()["count"] == 0


def test_an_outside_letter_is_404_for_the_other_branch(api, cast, issue):
    transfer = issue(to_org=None, to_org_name="外省某支部")
    assert api(cast.outsider).get(f"/api/v1/transfers/{transfer.pk}").status_code == 404


def test_mobile_members_are_masked_and_scoped(api, cast):
    mobile = services.mobile_register(
        actor=cast.secretary,
        mobile=MobileMember(
            person=cast.people.member,
            destination="深圳",
            since=dt.date(2026, 10, 1),
            contact_phone="13700001111",
        ),
    )
    body = api(cast.secretary).get("/api/v1/mobile-members").json()
    assert body["items"][0]["contact_phone_masked"] == "137****1111"
    assert api(cast.outsider).get(f"/api/v1/mobile-members/{mobile.pk}").status_code == 404
