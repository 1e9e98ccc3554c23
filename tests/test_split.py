"""Central text splitting: paragraph, then line, then word, then hard cut; every part within the limit."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from bot.core.split import split_parts, split_text, utf16_len


def test_prefers_paragraphs_then_lines_then_words():
    text = "a" * 30 + "\n\n" + "b" * 30
    assert split_text(text, 40) == ["a" * 30, "b" * 30]
    assert split_text("one two three four", 9) == ["one two", "three", "four"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_utf16_measure_counts_emoji_as_two():
    text = "😀" * 10
    parts = split_text(text, 4, utf16_len)
    assert all(utf16_len(p) <= 4 for p in parts) and "".join(parts) == text


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=3000), st.integers(min_value=2, max_value=500))
def test_parts_fit_and_keep_every_non_space_character(text, limit):
    parts = split_text(text, limit, utf16_len)
    assert all(utf16_len(p) <= limit for p in parts)
    # the parts cover the text; a cut inside an isolate adds closing/reopening marks (tests/test_bidi.py)
    covered = "".join(text[p.start:p.end] for p in split_parts(text, limit, utf16_len))
    assert "".join(text.split()) == "".join(covered.split())
