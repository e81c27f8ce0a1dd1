"""三评 submission load test: customers' token forms POSTed to a real server, compared with a
bare Django view doing one INSERT on the same server.

    export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench DANGJIAN_DATA_DIR=/tmp/dj-bench
    .venv/bin/python bench/appraisal_load.py --seconds 30 --connections 32

Needs ``gunicorn`` (``pip install -e .[bench]``) and ``wrk`` (``apt-get install wrk``), and the
scale campaign of ``demo/scale_appraisal.py`` (its unused tokens are consumed: every run
takes fresh ones). The server runs ``bench/appraisal/bench_settings.py`` — the product
settings plus the bench-only ``/bench/bare-insert/`` URL. Prints a Markdown summary.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench" / "appraisal"


def _django():
    sys.path[:0] = [str(ROOT / "src"), str(BENCH_DIR)]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    import django

    django.setup()


def _prepare(campaign_name: str, count: int, csrf: str, out: Path) -> int:
    """Write ``count`` token form bodies (unused tokens, every member serving the customer
    rated 1–5 on each criterion)."""
    from django.db import connection

    from dangjian.appraisal.models import Campaign, Criterion

    campaign = Campaign.objects.filter(name=campaign_name).order_by("-pk").first()
    if campaign is None:
        raise SystemExit(f"no campaign named {campaign_name!r}: run demo/scale_appraisal first")
    criteria = list(Criterion.objects.filter(campaign=campaign).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.token, array_remove(ARRAY[c.account_manager_id, c.inspector_id, "
            "c.courier_id], NULL) FROM appraisal_ratingtoken t "
            "JOIN customers_retailcustomer c ON c.id = t.customer_id "
            "WHERE t.campaign_id = %s AND t.used_at IS NULL ORDER BY t.id DESC LIMIT %s",
            [campaign.pk, count * 2],
        )
        rows = cursor.fetchall()
        members = set()
        staff = {pk for _t, ids in rows for pk in ids}
        cursor.execute(
            "SELECT m.person_id FROM people_membership m JOIN orgs_partyorg o "
            "ON o.id = m.branch_id WHERE m.person_id = ANY(%s) AND o.path LIKE %s",
            [list(staff), campaign.party_org.path + "%"],
        )
        members = {row[0] for row in cursor.fetchall()}
    written = 0
    rng = secrets.SystemRandom()
    with out.open("w") as fh:
        for token, ids in rows:
            ratees = sorted({pk for pk in ids if pk in members})
            if not ratees:
                continue
            fields = [f"csrfmiddlewaretoken={csrf}"]
            for ratee in ratees:
                fields += [f"s-{ratee}-{c}={rng.randint(3, 5)}" for c in criteria]
                fields.append(f"c-{ratee}=")
            fh.write(f"/appraisal/rate/{token}/\t{'&'.join(fields)}\n")
            written += 1
            if written >= count:
                break
    return written


def _prepare_bare(count: int, csrf: str, out: Path) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare_insert "
            "(id bigserial PRIMARY KEY, token text NOT NULL, at timestamptz DEFAULT now())"
        )
    with out.open("w") as fh:
        for i in range(count):
            fh.write(f"/bench/bare-insert/\tcsrfmiddlewaretoken={csrf}&t={i}\n")


def _counts(campaign_name: str) -> tuple[int, int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM appraisal_ratingtoken t JOIN appraisal_campaign c "
            "ON c.id = t.campaign_id WHERE c.name = %s AND t.used_at IS NOT NULL",
            [campaign_name],
        )
        used = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM appraisal_rating r JOIN appraisal_campaign c "
            "ON c.id = r.campaign_id WHERE c.name = %s AND r.kind = 'customer'",
            [campaign_name],
        )
        sheets = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM bench_bare_insert")
        bare = cursor.fetchone()[0]
    return used, sheets, bare


def _server(port: int, workers: int, threads: int):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DANGJIAN_DB_CONN_MAX_AGE": "600",
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--pythonpath",
        f"{ROOT / 'src'},{BENCH_DIR}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--keep-alive",
        "30",
        "dangjian.wsgi:application",
    ]
    process = subprocess.Popen(command, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def _wrk(port: int, bodies: Path, csrf: str, *, seconds: int, connections: int, threads: int):
    env = {**os.environ, "BODIES": str(bodies), "THREADS": str(threads)}
    env["COOKIE"] = f"csrftoken={csrf}"
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(BENCH_DIR / "post.lua"),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    text = result.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    return rate, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker")
    parser.add_argument("--port", type=int, default=8933)
    parser.add_argument("--campaign", default="规模测试三评（评议进行中）")
    parser.add_argument("--tokens", type=int, default=40000, help="token bodies to prepare")
    args = parser.parse_args()

    _django()
    csrf = secrets.token_hex(16)  # a 32-character CSRF secret, used as cookie and field
    work = Path(tempfile.mkdtemp(prefix="appraisal-load-"))
    ratings, bare = work / "ratings.tsv", work / "bare.tsv"
    prepared = _prepare(args.campaign, args.tokens, csrf, ratings)
    _prepare_bare(args.tokens, csrf, bare)
    server = _server(args.port, args.workers, args.threads)
    try:
        wrk_threads = 2
        # Warm up every worker (connections, templates, caches) on the baseline only.
        _wrk(args.port, bare, csrf, seconds=3, connections=args.connections, threads=wrk_threads)
        before = _counts(args.campaign)
        load = os.getloadavg()[0]
        started = time.monotonic()
        rate, text = _wrk(
            args.port,
            ratings,
            csrf,
            seconds=args.seconds,
            connections=args.connections,
            threads=wrk_threads,
        )
        elapsed = time.monotonic() - started
        middle = _counts(args.campaign)
        bare_rate, bare_text = _wrk(
            args.port,
            bare,
            csrf,
            seconds=args.seconds,
            connections=args.connections,
            threads=wrk_threads,
        )
        after = _counts(args.campaign)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    used = middle[0] - before[0]
    sheets = middle[1] - before[1]
    stored = after[2] - middle[2]
    print("## 三评 rating submission under load\n")
    print(f"- prepared token forms: {prepared}; load average at start: {load:.2f}")
    print(
        f"- server: gunicorn gthread, {args.workers} workers × {args.threads} threads; "
        f"wrk {args.connections} connections, {args.seconds}s each"
    )
    print(
        f"- **submissions: {rate:.0f} requests/s** (wrk); tokens consumed {used} "
        f"({used / elapsed:.0f}/s over {elapsed:.1f}s), customer sheets written {sheets}"
    )
    print(f"- **bare one-insert view: {bare_rate:.0f} requests/s**; rows written {stored}")
    print(f"- ratio submission / bare: **{rate / bare_rate:.2f}**\n")
    print("### wrk, submissions\n```\n" + text.strip() + "\n```")
    print("### wrk, bare view\n```\n" + bare_text.strip() + "\n```")


if __name__ == "__main__":
    main()
