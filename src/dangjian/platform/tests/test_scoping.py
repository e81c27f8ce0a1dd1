"""The one scoping mechanism: subtree reach, deny by default, own-only roles."""

from dangjian.accounts.models import User
from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Membership, Person


def names(qs):
    return sorted(str(x) for x in qs)


def test_office_sees_the_whole_company(cast):
    assert Person.objects.restrict(cast.office).count() == Person.objects.count()
    assert RetailCustomer.objects.restrict(cast.office).count() == 3


def test_secretary_sees_only_his_branch_members(cast):
    people = Person.objects.restrict(cast.secretary)
    assert names(people) == ["单雄信", "张三", "李四"]


def test_outsider_sees_nothing_of_the_other_branch(cast):
    assert not Person.objects.restrict(cast.outsider).filter(pk=cast.people.member.pk).exists()
    assert (
        not RetailCustomer.objects.restrict(cast.outsider)
        .filter(pk=cast.customers.east.pk)
        .exists()
    )
    assert names(RetailCustomer.objects.restrict(cast.outsider)) == [str(cast.customers.west)]


def test_member_sees_only_himself(cast):
    assert names(Person.objects.restrict(cast.member)) == ["李四"]
    assert Membership.objects.restrict(cast.member).get().person == cast.people.member


def test_account_manager_sees_customers_of_his_area_only(cast):
    assert names(RetailCustomer.objects.restrict(cast.manager)) == [str(cast.customers.east)]
    assert not Person.objects.restrict(cast.manager).exists()


def test_auditor_reads_but_cannot_change(cast):
    assert RetailCustomer.objects.restrict(cast.auditor).count() == 3
    assert not RetailCustomer.objects.restrict(cast.auditor, "change").exists()
    assert not Person.objects.restrict(cast.auditor, "reveal").exists()


def test_user_without_grants_gets_nothing(cast):
    nobody = User.objects.create_user("nobody", password="x")
    assert not Unit.objects.restrict(nobody).exists()
    assert not PartyOrg.objects.restrict(nobody).exists()
    assert not Person.objects.restrict(nobody).exists()


def test_anonymous_gets_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    assert not RetailCustomer.objects.restrict(AnonymousUser()).exists()


def test_secretary_sees_the_units_his_branch_covers(cast):
    assert names(Unit.objects.restrict(cast.secretary)) == sorted(["东湖城区片区", "东湖县局"])


def test_subtree_filter_is_one_query(cast, django_assert_num_queries):
    user = User.objects.get(pk=cast.office.pk)
    with django_assert_num_queries(2):  # grants, then the restricted list
        list(RetailCustomer.objects.restrict(user))
