"""A receipt's outcomes (`receipt.Outcomes`) say what a list of them says, in memory or on
disk, and the receipt's JSON is the one `json` makes of the list: a big file's receipt is
kept on disk without changing what it says."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yukimap.send import receipt as receipts
from yukimap.send.receipt import Outcome, Outcomes, Receipt

STATES = ("SENT", "REJECTED", "ALREADY SENT", "NOT SENT")
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
_rows = st.one_of(st.builds(lambda a, n: range(a, a + n), st.integers(2, 99), st.integers(2, 9)),
                  st.lists(st.integers(2, 99), max_size=4).map(tuple))
_outcome = st.builds(Outcome, key=_text, label=_text, rows=_rows, state=st.sampled_from(STATES),
                     message=st.none() | _text, yuki_ref=st.none() | _text,
                     sent_at=st.none() | _text, log_id=st.none() | st.integers(1, 10 ** 9),
                     forced=st.booleans())


def _plain(outcome: Outcome) -> dict[str, Any]:
    return {f.name: list(v) if isinstance(v := getattr(outcome, f.name), range | tuple) else v
            for f in fields(outcome)}


def _receipt(documents: Outcomes) -> Receipt:
    return Receipt("in.csv", "ab" * 32, "m.yaml", "sales invoices", "admin", "Winkel",
                   dry_run=False, started="2026-12-04T03:00:00+00:00", run_id=7,
                   documents=documents, stopped="the day's calls are used up")


@pytest.mark.parametrize("in_memory", [1, 3, 1000])
@given(outcomes=st.lists(_outcome, max_size=12), limit=st.integers(0, 5))
def test_outcomes_on_disk_say_what_the_list_says(in_memory: int, outcomes: list[Outcome],
                                                 limit: int) -> None:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(receipts, "_IN_MEMORY", in_memory)
        kept = Outcomes(outcomes)
    plain = [_plain(o) for o in outcomes]
    assert len(kept) == len(outcomes) and bool(kept) == bool(outcomes)
    assert [_plain(o) for o in kept] == plain
    assert [_plain(kept[i]) for i in range(-len(outcomes), len(outcomes))] == plain + plain
    assert [_plain(o) for o in kept[1::2]] == plain[1::2]
    for state in STATES:
        assert [_plain(o) for o in kept.where((state,), limit)] == [
            p for p in plain if p["state"] == state][:limit]
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.state] = counts.get(outcome.state, 0) + 1
    assert kept.counts() == counts and list(kept.counts()) == list(counts)
    with pytest.raises(IndexError):
        kept[len(outcomes)]
    # the JSON: what json.dump made of the receipt with its outcomes as a list
    receipt = _receipt(kept)
    data = {k: v for k, v in receipt.__dict__.items() if k != "summary"} | {"documents": plain}
    assert receipt.to_json() == json.dumps(data, indent=2, ensure_ascii=False)
    assert json.loads(receipt.to_json())["documents"] == plain
