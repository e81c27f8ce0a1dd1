"""Huey discovers tasks in each app's ``tasks`` module; the platform's live in jobs.py."""

from .jobs import purge_finished_jobs

__all__ = ["purge_finished_jobs"]
