"""Run the benchmark: ``python bench/run.py [--repeat 30] [--explain]``.

Needs a database loaded by ``dangjian gen_scale`` (DATABASE_URL and DANGJIAN_DATA_DIR as for
the load: the data directory holds the encryption key). See docs/performance.md.
"""

import sys

from django.core.management import execute_from_command_line

if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    execute_from_command_line(["dangjian", "bench", *sys.argv[1:]])
