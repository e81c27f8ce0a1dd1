"""The Huey jobs, executed directly (the worker runs the same functions)."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.notifications.models import Delivery, Notification, NotificationTarget
from dangjian.notifications.services import notify
from dangjian.notifications.tasks import deliver, retry_due_deliveries

pytestmark = pytest.mark.django_db


def test_deliver_task_sends_one_delivery(cast):
    notify(kind="notice", recipients=[cast.member], context={"title": "t", "content": "c"})
    delivery = Delivery.objects.get()
    assert deliver.call_local(delivery.pk) == "sent"
    assert Notification.objects.filter(user=cast.member).count() == 1


def test_periodic_task_retries_what_is_due(cast, http_server):
    http_server.fail_times = 1
    target = NotificationTarget.objects.create(
        name="群", channel="wecom", address=http_server.url("/flaky"), unit=cast.city.east
    )
    notify(kind="notice", recipients=[target], context={"title": "t", "content": "c"})
    assert retry_due_deliveries.call_local() == {"failed": 1}

    # The backoff has passed: the periodic job picks the delivery up again.
    Delivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert retry_due_deliveries.call_local() == {"sent": 1}
    assert [r.path for r in http_server.received] == ["/flaky", "/flaky"]


@pytest.fixture
def immediate_huey():
    """Huey's immediate mode: enqueue runs the task at once through Huey's own machinery."""
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = before


def test_notify_enqueues_the_deliveries_on_huey_after_commit(
    cast, settings, immediate_huey, django_capture_on_commit_callbacks
):
    settings.DANGJIAN_NOTIFY_DISPATCH = "huey"
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="notice", recipients=[cast.member], context={"title": "t", "content": "c"})
    assert Delivery.objects.get().status == "sent"
    assert Notification.objects.filter(user=cast.member).count() == 1
