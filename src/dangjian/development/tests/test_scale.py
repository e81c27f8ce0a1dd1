"""Scale data for development on top of the scale tree; the bench pages answer."""

from django.test import Client

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.demo import scale_development
from dangjian.demo.scale import generate
from dangjian.development.models import DevelopmentCase, DevelopmentPlan, DevelopmentStep
from dangjian.orgs.models import PartyOrg


def test_scale_generate_and_bench_pages(db, django_assert_max_num_queries):
    generate(customers=100, people=400, bureaus=3, log=lambda _msg: None)
    counts = scale_development.generate(years=5)
    assert counts["development_cases"] == DevelopmentCase.objects.count() > 0
    assert DevelopmentStep.objects.count() >= DevelopmentCase.objects.count()
    assert DevelopmentPlan.objects.count() == counts["development_plans"]
    office = User.objects.create_user("bench-office")
    root = PartyOrg.objects.filter(depth=1).first()
    RoleGrant.objects.create(user=office, role=Role.OFFICE, party_org=root)
    client = Client()
    client.force_login(office)
    for _label, _who, url in scale_development.BENCH_CASES:
        if url.startswith("/api/"):
            continue
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200, url
