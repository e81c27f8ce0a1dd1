"""The scale generators of 党务公开 and 组织关系转接 run on a small national tree."""

import pytest

from dangjian.accounts.models import User
from dangjian.demo import scale, scale_disclosure, scale_transfers
from dangjian.disclosure.models import Notice
from dangjian.transfers.models import Transfer


@pytest.mark.django_db(transaction=False)
def test_generators_add_rows_and_the_bench_pages_render(client):
    scale.generate(customers=50, people=400, bureaus=6, log=lambda _m: None)
    notices = scale_disclosure.generate(years=2)
    transfers = scale_transfers.generate(years=2)
    assert notices["notices"] == Notice.objects.count() > 0
    assert transfers["transfers"] == Transfer.objects.count() > 0
    assert transfers["mobile"] > 0
    for row in Transfer.objects.all()[:20]:
        row.full_clean()
    admin = User.objects.create_superuser("root", password="x")
    client.force_login(admin)
    for _label, _user, url in scale_disclosure.BENCH_CASES + scale_transfers.BENCH_CASES:
        if url.startswith("/api/"):
            continue
        assert client.get(url).status_code == 200, url
