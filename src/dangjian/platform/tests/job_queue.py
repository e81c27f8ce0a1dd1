"""A real job queue for tests: SqliteHuey in a temporary file, or RedisHuey on db 15.

``use_queue(kind, tmp_path)`` points the project's Huey instance at a fresh storage of that
kind; ``drain()`` runs what is queued through Huey's own consumer ``Worker`` in this thread
(retries included: their backoff delay is skipped by reading the schedule from the future),
and ``consumer()`` starts a real consumer's worker threads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import uuid

import pytest
from huey.consumer import Worker
from huey.storage import RedisStorage, SqliteStorage

from dangjian.platform.jobs import HUEY

REDIS_TEST_URL = os.environ.get("DANGJIAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BACKENDS = ["sqlite", "redis"]


def redis_reachable() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5).ping()
    except Exception:
        return False
    return True


class TestQueue:
    def __init__(self, huey):
        self.huey = huey

    def drain(self, max_tasks: int = 100) -> int:
        """Run every queued and scheduled task (retries too); returns how many ran."""
        worker = Worker(self.huey, threading.Event(), 0.01, 0.01, 1.0)
        ran = 0
        while ran < max_tasks:
            later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1)
            for task in self.huey.read_schedule(later):
                self.huey.enqueue(task)
            if not self.huey.pending_count():
                break
            worker.loop(now=later)
            ran += 1
        return ran

    def step(self) -> None:
        """Run exactly one queued task (now, not from the future)."""
        Worker(self.huey, threading.Event(), 0.01, 0.01, 1.0).loop()

    @contextlib.contextmanager
    def consumer(self, workers: int = 2):
        """A real Huey consumer with thread workers, stopped on exit."""
        consumer = self.huey.create_consumer(
            workers=workers,
            worker_type="thread",
            periodic=False,
            initial_delay=0.05,
            max_delay=0.2,
            check_worker_health=False,
        )
        consumer.scheduler.start()
        for _worker, thread in consumer.worker_threads:
            thread.start()
        try:
            yield consumer
        finally:
            consumer.stop(graceful=True)


@contextlib.contextmanager
def use_queue(kind: str, tmp_path):
    if kind == "redis":
        if not redis_reachable():
            pytest.skip(f"Redis not reachable at {REDIS_TEST_URL}")
        storage = RedisStorage(f"dangjian-test-{uuid.uuid4().hex[:8]}", url=REDIS_TEST_URL)
    else:
        storage = SqliteStorage("dangjian-test", filename=str(tmp_path / "queue.sqlite3"))
    previous, immediate = HUEY.storage, HUEY.immediate
    HUEY.immediate = False
    HUEY.storage = storage
    storage.flush_all()
    try:
        yield TestQueue(HUEY)
    finally:
        storage.flush_all()
        HUEY.storage = previous
        HUEY.immediate = immediate
