"""A person's text shown inside the bot's sentence is a balanced Unicode isolate (FSI … PDI), whatever it holds,
through localization, splitting and truncation on every renderer."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from bot.adapters.slack import mrkdwn
from bot.adapters.slack.render import render_messages
from bot.adapters.telegram.html import Run, split_runs, to_html, truncate as tg_truncate
from bot.adapters.telegram.render import render_reply
from bot.adapters.console.render import render_reply as console_render
from bot.core.blocks import Fields, Reply, Span, text
from bot.core.split import split_parts, split_text, utf16_len
from bot.i18n import Catalogs, localize
from bot.i18n.bidi import FSI, PDF, PDI, cut_closed, isolate, open_isolates
from bot.i18n.text import UserText, msg, user_text

RLO, LRE, RLI, LRI = "\u202e", "\u202a", "\u2067", "\u2066"
EMBED_OR_ISOLATE = "\u202a\u202b\u202d\u202e\u2066\u2067\u2068"


def balanced(s: str) -> bool:
    """Every line closes what it opens, and nothing closes more than was opened (read as UAX #9 reads it)."""
    for line in s.split("\n"):
        stack: list[str] = []
        for ch in line:
            if ch in EMBED_OR_ISOLATE:
                stack.append(PDI if ch in "\u2066\u2067\u2068" else PDF)
            elif ch in (PDF, PDI):
                if not stack or stack[-1] != ch:
                    return False
                stack.pop()
        if stack:
            return False
    return True


def without_controls(s: str) -> str:
    return "".join(ch for ch in s if ch not in EMBED_OR_ISOLATE + PDF + PDI)


# -- isolate ------------------------------------------------------------------------------------------------
def test_plain_text_only_gains_the_two_marks():
    assert isolate("Ana Pérez") == FSI + "Ana Pérez" + PDI
    assert isolate("אנה 3") == FSI + "אנה 3" + PDI


def test_empty_text_stays_empty():
    assert isolate("") == ""


def test_an_override_is_closed_inside_the_isolate():
    assert isolate(RLO + "evil") == FSI + RLO + "evil" + PDF + PDI


def test_a_stray_pdi_cannot_end_the_isolate_early():
    assert isolate("a" + PDI + RLO + "b") == FSI + "a" + RLO + "b" + PDF + PDI
    assert isolate(PDI * 5) == FSI + PDI  # nothing of its own to close: all dropped
    assert isolate("x" + PDF) == FSI + "x" + PDI


def test_a_pdi_closes_the_embeddings_opened_inside_its_isolate_explicitly():
    assert isolate(RLI + "a" + RLO + "b" + PDI + "c") == FSI + RLI + "a" + RLO + "b" + PDF + PDI + "c" + PDI


def test_already_isolated_text_is_not_wrapped_twice():
    once = isolate(RLO + "evil")
    assert isolate(once) == once
    assert isolate(FSI + "Ana" + PDI) == FSI + "Ana" + PDI
    # two isolates side by side are not one: wrapped again
    assert isolate(FSI + "a" + PDI + FSI + "b" + PDI) == FSI + FSI + "a" + PDI + FSI + "b" + PDI + PDI


def test_each_line_is_isolated_on_its_own():
    assert isolate(RLO + "a\nb") == FSI + RLO + "a" + PDF + PDI + "\n" + FSI + "b" + PDI
    assert isolate("a\n\nb") == FSI + "a" + PDI + "\n\n" + FSI + "b" + PDI


def test_deep_nesting_is_cut_with_its_closers():
    text = RLO * 200 + "x" + PDF * 200
    out = isolate(text)
    assert balanced(out) and out.count(RLO) == 16 and out.count(PDF) == 16 and "x" in out


def test_huge_text_keeps_every_character():
    text = ("word " + RLO + "x " + PDI) * 50_000
    out = isolate(text)
    assert balanced(out) and out.startswith(FSI) and out.endswith(PDF * 16 + PDI)  # deeper nesting is dropped
    assert without_controls(out) == without_controls(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n" + EMBED_OR_ISOLATE + PDF + PDI)), max_size=60))
def test_any_text_comes_out_balanced_with_its_letters(text):
    out = isolate(text)
    assert balanced(out)
    assert without_controls(out) == without_controls(text)
    for line in out.split("\n"):
        assert line == "" or (line[0] == FSI and line[-1] == PDI)


# -- as a message parameter and as a span -------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped() -> Catalogs:
    return Catalogs.load()


def test_user_text_param_is_isolated_and_the_sentence_is_not(shipped):
    assert localize(msg("home.hello", name=user_text(RLO + "evil")), "en", catalogs=shipped) == (
        "Hello, " + FSI + RLO + "evil" + PDF + PDI + ".")
    assert localize(msg("home.hello", name="plain str"), "en", catalogs=shipped) == "Hello, plain str."


def test_user_text_in_spans_and_fields(shipped):
    reply = Reply(blocks=[text("by ", user_text("\u202eAna"), " today"), Fields(items=[("who", UserText(text="Bo"))])])
    out = localize(reply, "en", catalogs=shipped)
    assert [s.text for s in out.blocks[0].spans] == ["by ", FSI + "\u202eAna" + PDF + PDI, " today"]
    assert out.blocks[1].items == [("who", FSI + "Bo" + PDI)]
    assert user_text(user_text("x")) == user_text("x") and user_text(None).text == ""


# -- splitting ----------------------------------------------------------------------------------------------
def test_split_prefers_a_space_outside_the_isolate():
    name = isolate("Ana María López")
    text = "Approved for " + name + " today"
    parts = split_text(text, len("Approved for " + name))
    assert parts == ["Approved for " + name, "today"]
    parts = split_text(text, len(name) + 1)
    assert name in parts


def test_a_cut_inside_an_isolate_closes_and_reopens_it():
    name = isolate("\u05d0" * 10 + " " + "\u05d1" * 10)
    parts = split_text("x " + name + " y", 14)
    assert all(len(p) <= 14 and balanced(p) for p in parts)
    assert parts == ["x", FSI + "\u05d0" * 10 + PDI, FSI + "\u05d1" * 10 + PDI + " y"]


def test_a_hard_cut_inside_an_isolate_closes_and_reopens_it():
    parts = split_text(isolate("z" * 30), 12)
    assert all(len(p) <= 12 and balanced(p) for p in parts)
    assert "".join(without_controls(p) for p in parts) == "z" * 30
    assert all(p.startswith(FSI) and p.endswith(PDI) for p in parts)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet="ab \n", max_size=30),
                          st.text(alphabet="\u05d0b \n" + RLO + PDI, max_size=40).map(isolate)), max_size=8),
       st.integers(min_value=36, max_value=90))
def test_every_part_of_a_split_is_balanced_and_within_the_limit(pieces, limit):
    # Balance needs room for one character and its marks: up to 17 open controls (FSI + 16 nested) twice.
    text = "".join(pieces)
    parts = split_text(text, limit, utf16_len)
    assert all(utf16_len(p) <= limit and balanced(p) for p in parts)
    positions = split_parts(text, limit, utf16_len)
    assert "".join("".join(text[p.start:p.end] for p in positions).split()) == "".join(text.split())


def test_telegram_parts_keep_styles_and_balance():
    name = isolate("n" * 20 + " " + "m" * 20)
    runs = [Run("Expert ", "bold"), Run(name, "italic"), Run(" logged 3 hours")]
    parts = split_runs(runs, 30)
    html = [to_html(p) for p in parts]
    assert all(balanced(h) for h in html)
    assert html == ["<b>Expert</b>", "<i>" + FSI + "n" * 20 + PDI + "</i>",
                    "<i>" + FSI + "m" * 20 + PDI + "</i> logged", "3 hours"]


# -- truncation ---------------------------------------------------------------------------------------------
def test_truncating_inside_an_isolate_closes_it_before_the_ellipsis():
    text = "Approve " + isolate(RLO + "x" * 100)
    for cut in (tg_truncate(text, 40), mrkdwn.truncate(text, 40), mrkdwn.cut(mrkdwn.literal(text), 40)):
        assert utf16_len(cut) <= 40 and balanced(cut) and cut.endswith(PDI + "…")
    assert open_isolates("a" + FSI + "b" + RLI) == 2 and cut_closed("a" + FSI + "bc", 4) == "a" + FSI + "b" + PDI


# -- every renderer keeps the marks -------------------------------------------------------------------------
def test_renderers_keep_the_marks_where_localization_put_them(shipped):
    reply = localize(Reply(blocks=[text(msg("home.hello", name=user_text(RLO + "<b>evil*_")))]), "en",
                     catalogs=shipped)
    shown = FSI + RLO + "<b>evil*_" + PDF + PDI
    console, _ = console_render(reply)
    assert console == "Hello, " + shown + "."
    (call,) = render_reply(reply, 1)
    assert call.kwargs["text"] == "Hello, " + FSI + RLO + "&lt;b&gt;evil*_" + PDF + PDI + "."
    (message,) = render_messages(reply)
    section = message.blocks[0]["text"]["text"]
    assert section.startswith("Hello, " + FSI + RLO + "&lt;b&gt;evil") and section.endswith(PDF + PDI + ".")
    assert balanced(section)


def test_bold_spans_of_user_text_stay_balanced_on_slack(shipped):
    reply = localize(Reply(blocks=[text(Span(text=user_text("Ana"), style="bold"), " ok")]), "en", catalogs=shipped)
    (message,) = render_messages(reply)
    assert message.blocks[0]["text"]["text"] == "*" + FSI + "Ana" + PDI + "* ok"
