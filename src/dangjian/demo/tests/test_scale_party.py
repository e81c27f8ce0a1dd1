"""``gen_scale`` with party work, ``--party-only`` on an existing scale database, and the
party pages of the bench."""

import pytest
from django.core.management import CommandError, call_command

from dangjian.demo import bench
from dangjian.development.models import DevelopmentCase
from dangjian.disclosure.models import Notice
from dangjian.dues.models import DuesPayment
from dangjian.orglife.models import Attendance, Meeting
from dangjian.transfers.models import Transfer


def test_gen_scale_party_only_adds_every_app_once_and_the_bench_pages_answer(db, capsys):
    call_command(
        "gen_scale", "--customers", "40", "--people", "160", "--bureaus", "2",
        "--party-years", "0",
    )  # fmt: skip
    assert not Meeting.objects.exists()
    call_command("gen_scale", "--party-only", "--party-years", "2")
    out = capsys.readouterr().out
    assert "scale_transfers" in out
    held = Meeting.objects.filter(status="held")
    assert held.exists() and Attendance.objects.exists()
    # ids came from the sequences: a row written the ordinary way gets a fresh one
    assert Meeting.objects.create(branch=held.first().branch, kind="theme_day").pk > max(
        held.values_list("pk", flat=True)
    )
    assert DuesPayment.objects.exists() and DevelopmentCase.objects.exists()
    assert Notice.objects.exists() and Transfer.objects.exists()
    with pytest.raises(CommandError):
        call_command("gen_scale", "--party-only")
    lines = []
    results = bench.run(repeat=1, only="党建", out=lines.append)
    assert {"office", "secretary", "member"} <= {r.user for r in results}
    assert len(results) == len(bench.party_cases())
    assert all(r.status == 200 for r in results), [(r.label, r.status) for r in results]


def test_gen_scale_without_a_scale_tree_refuses_party_only(db):
    with pytest.raises(CommandError, match="gen_scale"):
        call_command("gen_scale", "--party-only")
