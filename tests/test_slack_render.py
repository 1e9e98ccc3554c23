"""The Block Kit renderer, checked against the stand-in's validators and, end to end, against the stand-in."""
from __future__ import annotations

import html
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import mrkdwn
from bot.blobs import BlobRef, ref_for
from bot.adapters.slack.render import (
    SlackMessage, parse_view_submission, render_form_errors, render_home, render_message, render_messages,
    render_modal, render_open_form, render_text,
)
from bot.core.blocks import (
    Button, Buttons, Divider, Fields, Heading, LongText, Media, Paragraph, Reply, Span, text,
)
from bot.core.forms import FieldKind, FieldSpec, FormSpec, Option, RenderedForm

try:
    from slack_standin import SlackApiStandIn, validate_message, validate_view
except ImportError:  # tests/ imported as a package
    from tests.slack_standin import SlackApiStandIn, validate_message, validate_view  # type: ignore[no-redef]

NASTY = "<!channel> <@U123> <https://evil.example|click> Q&A *bold* _it_ ~gone~ `tick` a&lt;b"


def unrender(s: str) -> str:
    """What a reader sees of literal mrkdwn: no zero-width spaces, entities decoded."""
    return s.replace(mrkdwn.ZWSP, "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def assert_valid_message(msg: SlackMessage) -> None:
    err, details = validate_message(msg.text, msg.blocks)
    assert err is None, details


def all_mrkdwn(blocks: list[dict]) -> list[str]:
    out = []
    for b in blocks:
        if b.get("type") == "section":
            for t in [b.get("text")] + list(b.get("fields") or []):
                if t and t["type"] == "mrkdwn":
                    assert t.get("verbatim") is True
                    out.append(t["text"])
    return out


def btn(label: str, payload: str | None = "p", **kw) -> Button:
    return Button(label=label, payload=payload, **kw)  # as the codec leaves it: encoded, the action dropped


# -- escaping -----------------------------------------------------------------------------------------------------


def test_user_text_is_escaped_and_neutralised():
    reply = Reply(blocks=[Paragraph(spans=[Span(text="Project: "), Span(text=NASTY, style="bold"),
                                           Span(text=" by "), Span(text=NASTY, style="italic"),
                                           Span(text=NASTY, style="code"), Span(text="\n> not a quote")])])
    msg = render_message(reply)
    assert_valid_message(msg)
    (rendered,) = all_mrkdwn(msg.blocks)
    for s in (rendered, msg.text):
        assert "<" not in s and ">" not in s
        assert "&lt;!channel&gt;" in s and "&lt;@U123&gt;" in s and "Q&amp;A" in s
        assert re.search(r"&(?!amp;|lt;|gt;)", s) is None  # every & is an escape
    # Bold/italic wrap the user text; the user's own * _ ~ ` are each fenced by zero-width spaces.
    assert rendered.startswith("Project: *")
    inner = rendered[len("Project: *"):]
    for ch in "*_~":
        assert f"{mrkdwn.ZWSP}{ch}{mrkdwn.ZWSP}" in inner
    styled_part = rendered.split("`")[0]  # inside inline code Slack applies no styles
    assert re.search(r"(?<!\u200b)\*bold(?!\u200b)", styled_part) is None
    # Inline code: the backtick cannot close the code span early.
    assert "`&lt;!channel&gt;" in rendered and "\u02cbtick\u02cb" in rendered
    # A line that starts with ">" is not a block quote.
    assert f"\n{mrkdwn.ZWSP}&gt; not a quote" in rendered


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_literal_round_trips_and_leaves_no_markup(s):
    out = mrkdwn.literal(s)
    assert "<" not in out and ">" not in out
    assert re.search(r"&(?!amp;|lt;|gt;)", out) is None
    for ch in "*_~`":
        assert out.count(ch) == len(re.findall(rf"\u200b{re.escape(ch)}\u200b", out))
    assert unrender(out) == s.replace(mrkdwn.ZWSP, "")


def test_render_text_for_notices():
    assert render_text("<@U1> & co") == "&lt;@U1&gt; &amp; co"


def test_plain_text_objects_hold_the_literal_string():
    msg = render_message(Reply(blocks=[Heading(text="Q&A <!channel>"),
                                       Buttons(rows=[[btn("Rate <@U123> & go")]])]))
    assert_valid_message(msg)
    assert msg.blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Q&A <!channel>", "emoji": True}}
    assert msg.blocks[1]["elements"][0]["text"]["text"] == "Rate <@U123> & go"
    assert msg.text.startswith("*Q&amp;A &lt;!channel&gt;*")


# -- long text ----------------------------------------------------------------------------------------------------


def long_answer(n: int) -> str:
    words, size, i = [], 0, 0
    while size < n:
        w = f"word{i}" + ("\n\n" if i % 97 == 96 else "\n" if i % 13 == 12 else " ")
        words.append(w)
        size += len(w)
        i += 1
    return "".join(words)[:n]


def test_ten_thousand_char_answer_is_split_into_sections_on_boundaries():
    answer = long_answer(10_000)
    msg = render_message(Reply(blocks=[LongText(title="Model A", text=answer), Buttons(rows=[[btn("Rate")]])]))
    assert_valid_message(msg)
    sections = [b for b in msg.blocks if b["type"] == "section"][1:]
    assert 4 <= len(sections) <= 5
    assert all(len(s["text"]["text"]) <= 3000 and s["text"]["type"] == "plain_text" for s in sections)
    assert all(s["text"]["emoji"] is False for s in sections)
    assert " ".join(s["text"]["text"] for s in sections).split() == answer.split()  # no word cut or lost
    assert msg.uploads == []
    assert msg.blocks[-1]["type"] == "actions"


def test_ten_thousand_char_paragraph_is_split_into_mrkdwn_sections():
    answer = long_answer(10_000).replace("word1 ", "*word1* <!channel> ")
    msg = render_message(Reply(blocks=[text(answer)]))
    assert_valid_message(msg)
    texts = all_mrkdwn(msg.blocks)
    assert len(texts) >= 4 and all(len(t) <= 3000 for t in texts)
    assert unrender(" ".join(texts)).split() == answer.split()


def test_very_long_text_shows_the_start_and_attaches_the_whole():
    answer = long_answer(60_000)
    msg = render_message(Reply(blocks=[LongText(title="Model B", text=answer, filename="model_b")]))
    assert_valid_message(msg)
    sections = [b for b in msg.blocks if b["type"] == "section"]
    assert len(sections) == 2 and sections[1]["text"]["text"].endswith("…")
    assert answer.startswith(sections[1]["text"]["text"][:-1].rstrip())
    assert msg.uploads == [("model_b.txt", answer.encode("utf-8"), "Model B")]


def test_astral_characters_count_as_two_units():
    answer = ("\U0001d465 = \U0001F600 " * 2000).strip()  # mathematical x and an emoji: 2 UTF-16 units each
    msg = render_message(Reply(blocks=[LongText(title="\U0001F600" * 100, text=answer), text("\U0001F600" * 2000),
                                       Buttons(rows=[[btn("\U0001F600" * 60)]])]))
    assert_valid_message(msg)
    assert msg.blocks[-1]["elements"][0]["text"]["text"].endswith("…")


# -- buttons and block limits -------------------------------------------------------------------------------------


def test_sixty_buttons():
    row = [btn(f"Option {i} " + "x" * (i * 3), payload=f"tok{i}") for i in range(60)]
    msg = render_message(Reply(blocks=[text("Pick one"), Buttons(rows=[row])]))
    assert_valid_message(msg)
    actions = [b for b in msg.blocks if b["type"] == "actions"]
    assert [len(a["elements"]) for a in actions] == [25, 25, 10]
    els = [e for a in actions for e in a["elements"]]
    assert [e["action_id"] for e in els] == [f"a{i}" for i in range(60)]
    assert [e["value"] for e in els] == [f"tok{i}" for i in range(60)]
    long_labels = [e["text"]["text"] for e in els if len(e["text"]["text"]) == 75]
    assert long_labels and all(t.endswith("…") for t in long_labels)
    assert all(len(e["text"]["text"]) <= 75 for e in els)


def test_url_and_styled_buttons_and_bad_buttons():
    msg = render_message(Reply(blocks=[Buttons(rows=[[btn("Docs", payload=None, url="https://example.org/d"),
                                                      btn("Delete", style="danger")]])]))
    assert_valid_message(msg)
    a, b = msg.blocks[0]["elements"]
    assert a["url"] == "https://example.org/d" and "value" not in a and b["style"] == "danger"
    with pytest.raises(ValueError):
        render_message(Reply(blocks=[Buttons(rows=[[btn("x", payload=None)]])]))
    with pytest.raises(ValueError):
        render_message(Reply(blocks=[Buttons(rows=[[btn("x", payload="p" * 2001)]])]))
    with pytest.raises(TypeError):
        render_message(Reply(blocks=[text(__import__("bot.i18n.text", fromlist=["msg"]).msg("hello"))]))


def test_more_than_fifty_blocks_become_several_messages_with_buttons_last():
    reply = Reply(blocks=[Buttons(rows=[[btn("Early", payload="e")]])]
                  + [text(f"item {i}") for i in range(70)] + [Buttons(rows=[[btn("Next", payload="n")]])])
    msgs = render_messages(reply)
    assert len(msgs) == 2
    for m in msgs:
        assert_valid_message(m)
        assert len(m.blocks) <= 50
    assert all(b["type"] != "actions" for b in msgs[0].blocks)
    assert [b["elements"][0]["value"] for b in msgs[1].blocks if b["type"] == "actions"] == ["e", "n"]
    texts = [b["text"]["text"] for m in msgs for b in m.blocks if b["type"] == "section"]
    assert texts == [f"item {i}" for i in range(70)]

    single = render_message(reply)  # one message for an edit: content cut, buttons kept
    assert_valid_message(single)
    assert len(single.blocks) == 50
    assert [b["elements"][0]["value"] for b in single.blocks if b["type"] == "actions"] == ["e", "n"]
    assert single.blocks[-3] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "…", "verbatim": True}]}

    assert len(render_messages(Reply(blocks=[text(f"i{i}") for i in range(50)]))) == 1


def test_fields_images_files_divider():
    items = [(f"Label {i} <b>", "v" * (2500 if i == 3 else 5) + " & *x*") for i in range(15)]
    chart, table = ref_for(b"\x89PNG fake", "image/png", "chart.png"), ref_for(b"a,b\n", "text/csv", "out.csv")
    msg = render_message(Reply(blocks=[Heading(text="H" * 200), Fields(items=items), Divider(),
                                       Media(media="image", blob=chart, caption="Chart"),
                                       Media(media="document", blob=table)]))
    assert_valid_message(msg)
    assert msg.blocks[0]["type"] == "section" and msg.blocks[0]["text"]["text"].startswith("*HHH")
    fields = [b["fields"] for b in msg.blocks if "fields" in b]
    assert [len(f) for f in fields] == [10, 5]
    assert all(len(f["text"]) <= 2000 for fs in fields for f in fs)
    assert fields[0][0]["text"] == "*Label 0 &lt;b&gt;*\nvvvvv &amp; \u200b*\u200bx\u200b*\u200b"
    assert msg.blocks[-1] == {"type": "divider"}
    assert msg.uploads == [("chart.png", chart, "Chart"), ("out.csv", table, "out.csv")]


def test_empty_reply_still_has_text():
    msg = render_message(Reply())
    assert msg.text and msg.blocks == []
    assert validate_message(msg.text, msg.blocks)[0] is None


def test_home_view_is_capped_at_a_hundred_blocks():
    view = render_home(Reply(blocks=[text(f"row {i}") for i in range(150)] + [Buttons(rows=[[btn("More")]])]))
    assert validate_view(view) == []
    assert len(view["blocks"]) == 100 and view["blocks"][-1]["type"] == "actions"
    small = render_home(Reply(blocks=[Heading(text="Your work"), text("3 tasks")]))
    assert validate_view(small) == [] and len(small["blocks"]) == 2


# -- modals -------------------------------------------------------------------------------------------------------


def every_kind_form(n_choice: int = 5) -> FormSpec:
    return FormSpec(id="profile", title="An expert profile form title that is long", fields=[
        FieldSpec(id="domain", kind=FieldKind.choice, label="Domain <!channel>", help="Pick & go",
                  options=[Option(value=f"d{i}", label=f"Domain {i}") for i in range(n_choice)],
                  placeholder="Choose…"),
        FieldSpec(id="langs", kind=FieldKind.multi_choice, label="Languages",
                  options=[Option(value=v, label=v.upper()) for v in ("en", "de", "fr")]),
        FieldSpec(id="tags", kind=FieldKind.multi_choice, label="Tags", required=False,
                  options=[Option(value=f"t{i}", label=f"Tag {i}") for i in range(12)]),
        FieldSpec(id="quality", kind=FieldKind.scale, label="Quality", min=1, max=5),
        FieldSpec(id="nps", kind=FieldKind.scale, label="Recommend", min=0, max=10),
        FieldSpec(id="name", kind=FieldKind.short_text, label="Name", max_length=80, min_length=2),
        FieldSpec(id="bio", kind=FieldKind.long_text, label="Bio", required=False, max_length=10_000),
        FieldSpec(id="hours", kind=FieldKind.number, label="Weekly hours", min=0, max=60),
        FieldSpec(id="start", kind=FieldKind.date, label="Start"),
        FieldSpec(id="spent", kind=FieldKind.duration, label="Time spent", placeholder="1h30"),
    ])


def test_modal_has_one_input_per_field_and_validates():
    form = RenderedForm(spec=every_kind_form(), values={
        "domain": "d3", "langs": ["de", "fr"], "quality": 4, "nps": 9.0, "name": "Ada <@U1>", "bio": "b",
        "hours": 12.5, "start": date(2026, 12, 1), "spent": "1h30", "tags": ["t11"]})
    view = render_modal(form, session_id=42)
    assert validate_view(view) == []
    assert view["title"]["text"] == "An expert profile form…" and len(view["title"]["text"]) <= 24
    assert view["private_metadata"] == "42" and view["callback_id"] == "panelist_form"
    assert view["notify_on_close"] is True
    by_id = {b["block_id"]: b for b in view["blocks"]}
    assert list(by_id) == [f.id for f in form.spec.fields]
    assert all(b["type"] == "input" and b["element"]["action_id"] == "value" for b in view["blocks"])
    kinds = {k: b["element"]["type"] for k, b in by_id.items()}
    assert kinds == {"domain": "static_select", "langs": "checkboxes", "tags": "multi_static_select",
                     "quality": "radio_buttons", "nps": "static_select", "name": "plain_text_input",
                     "bio": "plain_text_input", "hours": "number_input", "start": "datepicker",
                     "spent": "plain_text_input"}
    assert by_id["domain"]["element"]["initial_option"]["value"] == "d3"
    assert by_id["domain"]["label"]["text"] == "Domain <!channel>" and by_id["domain"]["hint"]["text"] == "Pick & go"
    assert [o["value"] for o in by_id["langs"]["element"]["initial_options"]] == ["de", "fr"]
    assert by_id["quality"]["element"]["initial_option"]["value"] == "4"
    assert by_id["nps"]["element"]["initial_option"]["value"] == "9"
    assert by_id["name"]["element"]["initial_value"] == "Ada <@U1>"
    assert by_id["name"]["element"]["max_length"] == 80 and by_id["name"]["element"]["min_length"] == 2
    assert by_id["bio"]["element"]["multiline"] is True and by_id["bio"]["element"]["max_length"] == 3000
    assert by_id["hours"]["element"]["initial_value"] == "12.5"
    assert by_id["hours"]["element"]["min_value"] == "0" and by_id["hours"]["element"]["max_value"] == "60"
    assert by_id["start"]["element"]["initial_date"] == "2026-12-01"
    assert [b["optional"] for b in view["blocks"]] == [not f.required for f in form.spec.fields]
    assert view["submit"]["text"] == "Submit"

    labelled = render_modal(form, 1, title="Profil", submit_label="Speichern und weiter zum nächsten Schritt",
                            close_label="Abbrechen")
    assert validate_view(labelled) == []
    assert labelled["submit"]["text"] == "Speichern und weiter zu…"


def test_a_hundred_and_fifty_choice_options_use_option_groups():
    form = RenderedForm(spec=every_kind_form(n_choice=150), values={"domain": "d120"})
    view = render_modal(form, 7)
    assert validate_view(view) == []
    el = view["blocks"][0]["element"]
    assert "options" not in el
    assert [len(g["options"]) for g in el["option_groups"]] == [100, 50]
    assert el["option_groups"][1]["label"]["text"] == "Domain 100 – Domain 149"
    assert el["initial_option"]["value"] == "d120"


def _simulate(view: dict, answers: dict) -> dict:
    """The `view.state.values` Slack would send after a person chose `answers` in `view`."""
    values = {}
    for b in view["blocks"]:
        el = b["element"]
        t, a = el["type"], answers.get(b["block_id"])
        opts = el.get("options") or [o for g in el.get("option_groups", []) for o in g["options"]]
        by_value = {o["value"]: o for o in opts}
        if t in ("static_select", "radio_buttons"):
            st_ = {"selected_option": by_value[a] if a is not None else None}
        elif t in ("multi_static_select", "checkboxes"):
            st_ = {"selected_options": [by_value[v] for v in a or []]}
        elif t == "datepicker":
            st_ = {"selected_date": a}
        else:
            st_ = {"value": a}
        values[b["block_id"]] = {el["action_id"]: {"type": t, **st_}}
    return {**view, "id": "V1", "state": {"values": values}}


def test_round_trip_every_field_kind():
    view = render_modal(RenderedForm(spec=every_kind_form(150)), 3)
    answers = {"domain": "d149", "langs": ["en", "fr"], "tags": ["t0", "t11"], "quality": "2", "nps": "10",
               "name": "Grace & <@U9>", "bio": "line 1\nline *2*", "hours": "7.5", "start": "2026-11-30",
               "spent": "2h15"}
    assert parse_view_submission(_simulate(view, answers)) == answers
    empty = {"domain": None, "langs": [], "tags": [], "quality": None, "nps": None, "name": None, "bio": None,
             "hours": None, "start": None, "spent": None}
    assert parse_view_submission(_simulate(view, {})) == empty


def test_open_form_operation_and_form_as_data():
    from bot.core.operations import OpenForm
    form = RenderedForm(spec=every_kind_form(), values={"domain": "d1"})
    view = render_open_form(OpenForm(session_id=5, title="Profil bearbeiten", form=form))
    assert validate_view(view) == []
    assert view["title"]["text"] == "Profil bearbeiten" and view["private_metadata"] == "5"
    assert render_modal(form.model_dump(mode="json"), 5, title="Profil bearbeiten") == view


def test_form_errors():
    assert render_form_errors({"name": "Too short <b>"}) == {
        "response_action": "errors", "errors": {"name": "Too short <b>"}}


# -- end to end against the stand-in ------------------------------------------------------------------------------


async def test_rendered_output_is_accepted_by_the_stand_in():
    async with SlackApiStandIn("xoxb-r") as slack:
        client = AsyncWebClient(token="xoxb-r", base_url=slack.base_url)
        reply = Reply(blocks=[Heading(text="Task 12"), text(NASTY), LongText(title="Answer", text=long_answer(60_000)),
                              Buttons(rows=[[btn(f"B{i}", payload=f"t{i}") for i in range(30)]])]
                      + [text(f"p{i}") for i in range(60)])
        for m in render_messages(reply):
            await client.chat_postMessage(channel="C0TASKS", text=m.text, blocks=m.blocks)
            for filename, data, title in m.uploads:
                await client.files_upload_v2(channel="C0TASKS", filename=filename, content=data, title=title)
        await client.views_open(trigger_id=slack.new_trigger_id(),
                                view=render_modal(RenderedForm(spec=every_kind_form(150)), 9))
        await client.views_publish(user_id="U1", view=render_home(reply))
        assert slack.refusals == []
        posted = [m for m in slack.messages_in("C0TASKS") if m["blocks"]]
        assert len(posted) == 2 and posted[-1]["blocks"][-1]["type"] == "actions"
        assert slack.uploaded_files()[0].data == long_answer(60_000).encode()


def test_modal_titles_are_cut_at_a_word():
    """Slack's modal title holds 24 characters: a longer one is cut between words, with an ellipsis (issue 17)."""
    from bot.core.forms import FieldSpec, FormSpec, RenderedForm

    form = RenderedForm(spec=FormSpec(id="f", title="t", fields=[FieldSpec(id="a", kind="short_text", label="A")]),
                        values={})
    title = render_modal(form, 1, title="Rate the legal accuracy of this answer")["title"]["text"]
    assert title == "Rate the legal accuracy…" and len(title) <= 24
    assert render_modal(form, 1, title="Evaluación de la respuesta jurídica")["title"]["text"] == "Evaluación de la…"
    assert render_modal(form, 1, title="Profile: name, languages")["title"]["text"] == "Profile: name, languages"  # 24 fit
    assert render_modal(form, 1, title="Profile: name, languages!")["title"]["text"] == "Profile: name…"  # no dangling ","
    long_word = render_modal(form, 1, title="Rechtsschutzversicherungsbedingungen")["title"]["text"]
    assert long_word == "Rechtsschutzversicherun…"  # one word longer than the limit: cut inside, still 24


# -- media and code (issue 20) ---------------------------------------------------------------------------------

from bot.adapters.slack.render import images_in, media_filename  # noqa: E402
from bot.core.blocks import Code, Gallery  # noqa: E402


def test_images_with_file_ids_are_image_blocks_and_the_rest_uploads():
    a, b = ref_for(b"\x89PNG a", "image/png", "a.png"), ref_for(b"\x89PNG b", "image/png", "b.png")
    voice = ref_for(b"OggS", "audio/ogg", "v")
    reply = Reply(blocks=[text("Pick one"), Gallery(items=[Media(media="image", blob=a), Media(media="image", blob=b)],
                                                    caption=NASTY), Media(media="voice", blob=voice)])
    assert images_in(reply.blocks) == [a, b]
    msg = render_message(reply, {a.sha256: "F0000000A1"})
    assert_valid_message(msg)
    images = [blk for blk in msg.blocks if blk["type"] == "image"]
    assert images == [{"type": "image", "slack_file": {"id": "F0000000A1"}, "alt_text": NASTY}]  # alt is plain text
    assert unrender(msg.blocks[1]["text"]["text"]) == NASTY  # the caption, escaped, above the images
    assert msg.uploads == [("b.png", b, NASTY), ("v.ogg", voice, "v.ogg")]  # not yet uploaded: a file; audio: a file
    home = render_home(reply, {a.sha256: "F0000000A1", b.sha256: "F0000000B2"})
    assert validate_view(home) == [] and [x["slack_file"]["id"] for x in home["blocks"] if x["type"] == "image"] == [
        "F0000000A1", "F0000000B2"]


@pytest.mark.parametrize("name, mime, expected", [
    ("../../etc/passwd", "text/plain", "passwd.txt"), ("C:\\x\\shot.png", "image/png", "shot.png"),
    ("", "audio/mpeg", "audio.mp3"), ("a\x00b\nc.pdf", "application/pdf", "a_b_c.pdf"), ("...", "video/mp4", "video.mp4"),
    ("x" * 255, "application/octet-stream", "x" * 200),
])
def test_hostile_media_names_become_plain_file_names(name, mime, expected):
    kind = mime.split("/")[0] if mime.split("/")[0] in ("audio", "video") else "document"
    ref = BlobRef(sha256="0" * 64, size=1, mime=mime, name=name[:255])  # as stored: its MIME type already checked
    assert media_filename(ref, kind) == expected


@pytest.mark.parametrize("source", ["", "\n", "only one line", "\t\tindented\n  kept  \n", "<&>" * 3000,
                                    "```\n" * 700, "é" * 5000 + "\n" + "😀" * 2000])
def test_any_code_renders_to_valid_messages(source):
    messages = render_messages(Reply(blocks=[Code(text=source, language="rust", mark=(1, 1))]))
    for m in messages:
        assert_valid_message(m)
    sections = [b["text"]["text"] for m in messages for b in m.blocks if b["type"] == "section"]
    assert sections and all(s.startswith("```\n") and s.endswith("\n```") for s in sections)
    assert all("```" not in s[4:-4] for s in sections)  # the code cannot close its own block


def test_code_keeps_indentation_and_numbers_an_excerpt_from_its_first_line():
    src = "def f(x):\n    if x:\n        return 1\n    return 0\n"
    msg = render_message(Reply(blocks=[Code(text=src, language="python", first_line=98, mark=(100, 100))]))
    body = msg.blocks[-1]["text"]["text"]
    assert body == ("```\n"
                    " 98 │ def f(x):\n"
                    " 99 │     if x:\n"
                    "100 ▶         return 1\n"
                    "101 │     return 0\n"
                    "```")
    assert msg.uploads == []


def test_code_too_long_for_ten_sections_is_also_a_file_named_for_its_language():
    src = "\n".join("SELECT * FROM t WHERE id = %d;" % i for i in range(4000))
    msg = render_message(Reply(blocks=[Code(text=src, language="SQL", title="Query", filename="query.txt")]))
    assert_valid_message(msg)
    assert msg.uploads == [("query.sql", src.encode(), "Query")]
    assert sum(1 for b in msg.blocks if b["type"] == "section") == 10
    keep = render_message(Reply(blocks=[Code(text=src, filename="run.sh")]))
    assert keep.uploads[0][0] == "run.sh"


def test_a_modal_shows_images_by_file_id_and_names_what_it_cannot_show():
    img, doc = ref_for(b"\x89PNG", "image/png", "plot.png"), ref_for(b"%PDF", "application/pdf", "paper.pdf")
    other = ref_for(b"\x89PNG2", "image/png", "later.png")
    form = RenderedForm(spec=FormSpec(id="f", title="T", context=[
        Media(media="image", blob=img, caption="Plot"), Media(media="image", blob=other), Media(media="document", blob=doc),
        Code(text="x = 1\n", language="python")], fields=[FieldSpec(id="q", kind=FieldKind.short_text, label="Q")]))
    view = render_modal(form, 1, file_ids={img.sha256: "F00000PLOT"},
                        notes={"pending": "{name} soon", "unavailable": "{name} not here"})
    assert validate_view(view) == []
    blocks = view["blocks"]
    assert blocks[0] == {"type": "image", "slack_file": {"id": "F00000PLOT"}, "alt_text": "Plot",
                         "title": {"type": "plain_text", "text": "Plot", "emoji": False}}
    lines = [unrender(b["elements"][0]["text"]) for b in blocks if b["type"] == "context"]
    assert any("later.png" in line and "later.png soon" in line for line in lines)
    assert any("paper.pdf" in line and "paper.pdf not here" in line for line in lines)
    assert any(b["type"] == "section" and b["text"]["text"].startswith("```") for b in blocks)
    assert [b["block_id"] for b in blocks if b["type"] == "input"] == ["q"]


def test_the_stand_in_refuses_image_blocks_it_cannot_check_as_ours():
    assert validate_message("x", [{"type": "image", "slack_file": {"id": "nope"}, "alt_text": "a"}])[0] == \
        "invalid_blocks"
    assert validate_message("x", [{"type": "image", "slack_file": {"id": "F00000001", "url": "u"},
                                   "alt_text": "a"}])[0] == "invalid_blocks"
    assert validate_message("x", [{"type": "image", "slack_file": {"id": "F00000001"}, "alt_text": ""}])[0] == \
        "invalid_blocks"
    assert validate_message("x", [{"type": "image", "slack_file": {"id": "F00000001"}, "alt_text": "a"}]) == (None, [])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\t\u200b"),
                        max_size=4000), min_size=1, max_size=60),
       st.integers(min_value=1, max_value=99_990))
def test_code_rows_rebuild_every_line_exactly(lines, first):
    """Whatever the code, every section is valid and ≤ 3,000 units, and its rows give back each line whole, in
    order: a line is never split across rows unless it alone is too long for a section."""
    source = "\n".join(lines)
    if len(lines) > 1 and lines[-1] == "":
        lines = lines[:-1]  # a final newline ends the last line; it is not a line of its own
    messages = render_messages(Reply(blocks=[Code(text=source, first_line=first)]))
    sections = [b["text"]["text"] for m in messages for b in m.blocks if b["type"] == "section"]
    for m in messages:
        assert_valid_message(m)
    rows = [r for s in sections for r in s[4:-4].split("\n")]
    width = len(str(first + len(lines) - 1))
    rebuilt: list[str] = []
    for row in rows:
        number, rest = row[:width], row[width + 1:]
        marker, body = rest[:1], rest[2:]
        if marker == "↪":
            rebuilt[-1] += body
        else:
            assert marker == "│" and int(number) == first + len(rebuilt)
            rebuilt.append(body)
    if len(sections) <= 10:  # not cut: everything is shown
        assert [unrender(x) for x in rebuilt] == [x for x in lines[:len(rebuilt)]] and len(rebuilt) == len(lines)
