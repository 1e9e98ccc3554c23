"""The per-person inbound limiter (bot/core/flood.py) on a clock the test moves: bursts, the sustained rate,
calming down, exempt kinds, and that people do not share a bucket."""
from __future__ import annotations

import pytest

from app.settings import Settings
from bot.core.flood import FloodGate, Verdict

ADMIT, NOTICE, DROP = Verdict.ADMIT, Verdict.NOTICE, Verdict.DROP


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def gate(burst: int = 5, per_minute: float = 60, clock: Clock | None = None) -> FloodGate:
    return FloodGate(burst, per_minute, clock=clock or Clock())


def run(g: FloodGate, n: int, key: str = "telegram:1", kind: str = "text") -> list[Verdict]:
    return [g.check(key, kind) for _ in range(n)]


def test_a_burst_is_admitted_then_one_notice_then_silence():
    g = gate(burst=5)
    assert run(g, 5) == [ADMIT] * 5
    assert run(g, 4) == [NOTICE, DROP, DROP, DROP]


def test_the_sustained_rate_is_never_dropped():
    clock = Clock()
    g = gate(burst=3, per_minute=60, clock=clock)  # one a second
    got = []
    for _ in range(500):  # long after the burst would have run out
        got.append(g.check("slack:T1/U1", "text"))
        clock.t += 1.0
    assert got == [ADMIT] * 500


def test_above_the_rate_the_bucket_lets_through_only_what_refills():
    clock = Clock()
    g = gate(burst=3, per_minute=60, clock=clock)
    got = []
    for _ in range(100):  # ten a second for ten seconds
        got.append(g.check("k", "text"))
        clock.t += 0.1
    admitted = got.count(ADMIT)
    assert 3 + 9 <= admitted <= 3 + 10  # the burst, plus one a second
    assert got.count(NOTICE) == 1  # told once, though it never calmed down in between


def test_calming_down_restores_the_burst_and_a_later_flood_is_told_again():
    clock = Clock()
    g = gate(burst=4, per_minute=60, clock=clock)
    assert run(g, 6) == [ADMIT] * 4 + [NOTICE, DROP]
    clock.t += 2  # two tokens back, not calm yet: admitted again, but no second notice
    assert run(g, 3) == [ADMIT, ADMIT, DROP]
    clock.t += 4  # full again: calm
    assert run(g, 6) == [ADMIT] * 4 + [NOTICE, DROP]


def test_commands_buttons_and_forms_always_pass_and_take_no_token():
    g = gate(burst=2)
    assert run(g, 3) == [ADMIT, ADMIT, NOTICE]
    for kind in ("command", "button", "form_submitted", "form_cancelled", "home"):
        assert run(g, 50, kind=kind) == [ADMIT] * 50
    assert run(g, 1) == [DROP]  # still over the limit for plain messages
    g2 = gate(burst=2)
    run(g2, 100, kind="command")
    assert run(g2, 2) == [ADMIT, ADMIT]  # commands spent nothing


def test_files_count_like_text():
    g = gate(burst=2)
    assert [g.check("k", "file"), g.check("k", "text"), g.check("k", "file")] == [ADMIT, ADMIT, NOTICE]


def test_each_person_has_their_own_bucket():
    g = gate(burst=3)
    assert run(g, 10, key="telegram:1")[-1] == DROP
    assert run(g, 3, key="telegram:2") == [ADMIT] * 3
    assert run(g, 3, key="slack:T1/U1") == [ADMIT] * 3


def test_a_clock_that_steps_back_refills_nothing():
    clock = Clock()
    g = gate(burst=2, clock=clock)
    run(g, 3)
    clock.t -= 100
    assert run(g, 1) == [DROP]


def test_full_buckets_are_forgotten():
    clock = Clock()
    g = FloodGate(2, 60, clock=clock, prune_every=10)
    for i in range(9):
        g.check(f"person:{i}", "text")
    assert len(g) == 9
    clock.t += 5  # everyone full again
    g.check("person:new", "text")  # the tenth check sweeps
    assert len(g) == 1


def test_form_typing_never_hits_the_default_limit():
    """The defaults against a very fast human: a long paste split in three, then a form answered a step every
    two seconds for ten minutes, with a few more pastes on the way."""
    s = Settings()
    clock = Clock()
    g = FloodGate(s.flood_burst, s.flood_per_minute, clock=clock)
    assert run(g, 3) == [ADMIT] * 3
    for step in range(300):
        clock.t += 2.0
        n = 3 if step % 50 == 0 else 1
        assert run(g, n) == [ADMIT] * n


def test_the_limits_come_from_settings():
    assert Settings(flood_burst=7, flood_per_minute=12).flood_burst == 7
    with pytest.raises(Exception):
        Settings(flood_burst=0)
    with pytest.raises(Exception):
        Settings(flood_per_minute=0)
    with pytest.raises(ValueError):
        FloodGate(0, 60)
