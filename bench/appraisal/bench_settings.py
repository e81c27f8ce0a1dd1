"""Settings for the 三评 submission load test: the product settings with a bench-only URL
map (``bench_urls``) that adds the bare one-insert baseline view. Never used in production."""

from dangjian.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
