"""The ticket state machine."""

import pytest

from hub.queue import ACTIVE, FINAL, InvalidTransition, TicketStatus, check_transition
from hub.queue.states import TRANSITIONS

ALLOWED = {
    ("waiting", "called"),
    ("waiting", "cancelled"),
    ("called", "done"),
    ("called", "no_show"),
    ("called", "waiting"),
}


@pytest.mark.parametrize("current", [s.value for s in TicketStatus])
@pytest.mark.parametrize("wanted", [s.value for s in TicketStatus])
def test_only_the_documented_moves_are_allowed(current: str, wanted: str) -> None:
    """GIVEN any pair of states THEN only the five documented moves succeed."""
    if (current, wanted) in ALLOWED:
        assert check_transition(current, wanted) is TicketStatus(wanted)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(current, wanted)


def test_final_states_have_no_way_out() -> None:
    assert all(not TRANSITIONS[s] for s in FINAL)
    assert ACTIVE | FINAL == set(TicketStatus)
    assert not ACTIVE & FINAL


def test_unknown_state_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        check_transition("lost", "done")
