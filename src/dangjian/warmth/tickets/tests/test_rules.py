from hypothesis import given
from hypothesis import strategies as st

from dangjian.warmth.tickets.rules import TransferFacts, transfer_problem


def facts(**kw):
    values = {
        "owner_id": 1,
        "current_handler_id": None,
        "previous_handler_ids": (),
        "transfers_so_far": 0,
        "max_transfers": 3,
    }
    values.update(kw)
    return TransferFacts(**values)


def test_a_first_transfer_is_fine():
    assert transfer_problem(facts(), 2) is None


def test_back_to_a_previous_handler_is_a_loop():
    message = transfer_problem(facts(current_handler_id=3, previous_handler_ids=(2,)), 2)
    assert "循环" in message


def test_to_the_owner_means_returning():
    assert "退回" in transfer_problem(facts(current_handler_id=2), 1)


@given(st.integers(min_value=1, max_value=20), st.integers(min_value=0, max_value=40))
def test_the_limit_is_the_policys(limit, done):
    problem = transfer_problem(facts(transfers_so_far=done, max_transfers=limit), 99)
    assert (problem is not None) == (done >= limit)
