"""The rules vbc-conformance's own checks judge answers by: they catch a server that
contradicts itself, and never fail one for what a live call does between two reads."""

from __future__ import annotations

import copy
from typing import Any

from tests.fixtures import live_evidence as evidence
from vbc_conformance import consistency

CALL = evidence.CRM_PANEL_CALL
LEGS = list(CALL["leg_map"].values())


def test_an_answer_about_another_call_or_leg_is_named() -> None:
    asked = {"call_id": evidence.CALL_ID}
    assert consistency.ids_disagree("get_call", asked, CALL) is None
    assert consistency.ids_disagree("get_call", {"call_id": "other"}, CALL)
    # A call's legs belong to it too.
    stray = copy.deepcopy(CALL)
    stray["leg_map"][evidence.OUR_LEG]["call_id"] = "other"
    assert "other" in str(consistency.ids_disagree("get_call", asked, stray))
    leg = {"call_id": evidence.CALL_ID, "leg_id": evidence.OUR_LEG}
    assert consistency.ids_disagree("get_call_leg", {**leg, "leg_id": "x"}, LEGS[0])
    assert consistency.ids_disagree("get_call_leg", leg, LEGS[0]) is None


def test_a_leg_hidden_from_its_call_is_named_and_one_joining_between_reads_is_not() -> None:
    hidden = copy.deepcopy(CALL)
    hidden["leg_map"].pop(evidence.PSTN_LEG)
    assert evidence.PSTN_LEG in str(consistency.legs_disagree(LEGS, hidden, LEGS))
    # The outside party joined after the first listing: the call and the second agree.
    assert consistency.legs_disagree(LEGS[:1], CALL, LEGS) is None
    # It left after the call was read: the first listing and the call agree.
    assert consistency.legs_disagree(LEGS, CALL, LEGS[:1]) is None
    assert consistency.legs_disagree(LEGS[:1], CALL, LEGS[:1])  # the call has one no list has


def test_an_item_twice_in_one_walk_is_named() -> None:
    seen: set[str] = set()
    assert consistency.repeated(seen, {"calls": [CALL]}) is None
    assert consistency.repeated(seen, {"calls": [CALL]}) == evidence.CALL_ID
    devices: set[str] = set()
    page = {"devices": [{"mac_address": "79-5C-7D-28-1B-B3"}, {"mac_address": "79-5C-7D-28-1B-B3"}]}
    assert consistency.repeated(devices, page) == "79-5C-7D-28-1B-B3"


def moved(record: dict[str, Any], **times: Any) -> dict[str, Any]:
    changed = copy.deepcopy(record)
    changed.update(times)
    return changed


def test_a_start_that_moves_or_an_answer_before_the_start_is_named() -> None:
    timeline = consistency.Timeline()
    assert timeline.observe({"calls": [CALL]}) is None
    assert timeline.observe(CALL) is None  # read again, unchanged; "0" is unset, not 1970
    earlier = moved(CALL, start_time=str(int(CALL["start_time"]) - 60_000_000))
    assert "started at" in str(timeline.observe(earlier))
    early_answer = moved(LEGS[0], leg_id="new-leg", answer_time="1000000000000000")
    assert "before its start_time" in str(consistency.Timeline().observe(early_answer))


def test_the_documented_example_with_its_end_equal_to_its_start_passes() -> None:
    assert consistency.Timeline().observe(evidence.VENDOR_CALL_PAGE) is None
