"""The incoming and outgoing transition tables, walked completely."""
from __future__ import annotations

import itertools

import pytest

from edoc.documents.states import (
    INCOMING,
    OUTGOING,
    InAction,
    InState,
    OutAction,
    OutState,
    allowed_actions,
    next_state,
)
from edoc.errors import InvalidTransition

IN_PAIRS = list(itertools.product(list(InState), list(InAction)))
OUT_PAIRS = list(itertools.product(list(OutState), list(OutAction)))


@pytest.mark.parametrize(("state", "action"), IN_PAIRS)
def test_incoming_table(state, action):
    if (state, action) in INCOMING:
        assert next_state("incoming", state, action) == INCOMING[(state, action)]
    else:
        with pytest.raises(InvalidTransition) as exc:
            next_state("incoming", state, action)
        assert exc.value.status == 409 and exc.value.code == "invalid_transition"


@pytest.mark.parametrize(("state", "action"), OUT_PAIRS)
def test_outgoing_table(state, action):
    if (state, action) in OUTGOING:
        assert next_state("outgoing", state, action) == OUTGOING[(state, action)]
    else:
        with pytest.raises(InvalidTransition):
            next_state("outgoing", state, action)


def test_final_states_allow_nothing():
    for state in (InState.DONE, InState.RETURNED, InState.CANCELLED):
        assert allowed_actions("incoming", state) == set()
    assert allowed_actions("outgoing", OutState.REVOKED) == set()


def test_every_state_is_reachable_from_the_start():
    for table, start in ((INCOMING, InState.RECEIVED), (OUTGOING, OutState.DRAFT)):
        seen, frontier = {start}, [start]
        while frontier:
            s = frontier.pop()
            for (a, _act), b in table.items():
                if a == s and b not in seen:
                    seen.add(b)
                    frontier.append(b)
        states = {s for pair in table for s in pair[:1]} | set(table.values())
        assert states <= seen
