"""Absolute links for QR codes and messages: printed slips and post cards, and links sent by
background jobs, have no request to take the host from, so they use
``settings.PUBLIC_BASE_URL`` (env ``DANGJIAN_PUBLIC_BASE_URL``: the address customers reach,
e.g. ``https://dangjian.example.cn``)."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` (starting with ``/``) on the public address."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + path
