"""Translation, plural selection, fallback, Babel formatting, negotiation and `localize` over replies and forms."""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel
from babel.messages.plurals import get_plural

from bot.core.blocks import Button, Buttons, Fields, Heading, Paragraph, Reply, Span, button, text
from bot.core.forms import FieldKind, FieldSpec, FormSpec, Option
from bot.core.form_buttons import FormCancel
from bot.core.operations import Notice, SendMessage
from bot.i18n.text import Day, Duration, Money, Msg, When, msg
from bot.i18n import (
    Catalogs,
    default_catalogs,
    format_day,
    format_duration,
    format_money,
    format_when,
    localize,
    negotiate_locale,
)
from bot.i18n.formatting import money_amount


def plain(s: str) -> str:
    """CLDR uses narrow/no-break spaces; compare with ordinary ones."""
    return s.replace("\u202f", " ").replace("\xa0", " ")


def write_po(root: Path, locale: str, entries: str) -> None:
    plural = get_plural(locale)
    folder = root / locale / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "panelist.po").write_text(
        'msgid ""\nmsgstr ""\n'
        f'"Language: {locale}\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n'
        f'"Plural-Forms: nplurals={plural.num_plurals}; plural={plural.plural_expr};\\n"\n\n' + entries,
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def shipped() -> Catalogs:
    return Catalogs.load()


@pytest.fixture()
def tmp_catalogs(tmp_path) -> Catalogs:
    write_po(tmp_path, "en", '''
msgid "only.en"
msgstr "English only"

msgid "in.all"
msgstr "en {name}"

msgid "in.es"
msgstr "en es-level"

msgid "hostile"
msgstr "Hi {name}, {missing}, {0}, {name.__class__}, {name!r}, {{literal}}"

msgid "broken"
msgstr "open { brace"

msgid "typed"
msgstr "n={n} m={m} w={w} d={d} b={b} dec={dec} raw={raw} nested={nested}"

msgid "outer"
msgstr "outer({inner})"

msgid "loop"
msgstr "loop({me})"

msgid "files"
msgid_plural "files.plural"
msgstr[0] "{count} file"
msgstr[1] "{count} files"
''')
    write_po(tmp_path, "es", '''
msgid "in.all"
msgstr "es {name}"

msgid "in.es"
msgstr "es nivel idioma"

msgid "outer"
msgstr "fuera({inner})"

msgid "files"
msgid_plural "files.plural"
msgstr[0] ""
msgstr[1] ""
msgstr[2] ""
''')
    write_po(tmp_path, "es_MX", '''
msgid "in.all"
msgstr "mx {name}"
''')
    write_po(tmp_path, "ru", '''
msgid "files"
msgid_plural "files.plural"
msgstr[0] "{count} файл"
msgstr[1] "{count} файла"
msgstr[2] "{count} файлов"
''')
    write_po(tmp_path, "pl", '''
msgid "files"
msgid_plural "files.plural"
msgstr[0] "{count} plik"
msgstr[1] "{count} pliki"
msgstr[2] "{count} plików"
''')
    return Catalogs.load(tmp_path)


# -- plurals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "locale, count, expected",
    [
        ("en", 0, "0 items"),
        ("en", 1, "1 item"),
        ("en", 2, "2 items"),
        ("en", 1234, "1,234 items"),
        ("es", 1, "1 elemento"),
        ("es", 0, "0 elementos"),
        ("es", 2, "2 elementos"),
        ("es", 1234, "1.234 elementos"),
        ("es", 1_000_000, "1.000.000 de elementos"),
    ],
)
def test_plural_forms_in_shipped_catalogs(shipped, locale, count, expected):
    assert plain(shipped.translate(locale, "common.items_count", count=count)) == expected


@pytest.mark.parametrize(
    "locale, count, expected",
    [
        ("ru", 1, "1 файл"), ("ru", 21, "21 файл"), ("ru", 2, "2 файла"), ("ru", 24, "24 файла"),
        ("ru", 5, "5 файлов"), ("ru", 11, "11 файлов"), ("ru", 12, "12 файлов"), ("ru", 0, "0 файлов"),
        ("pl", 1, "1 plik"), ("pl", 3, "3 pliki"), ("pl", 22, "22 pliki"), ("pl", 5, "5 plików"),
        ("pl", 12, "12 plików"), ("pl", 21, "21 plików"),
    ],
)
def test_plural_forms_with_three_categories(tmp_catalogs, locale, count, expected):
    assert tmp_catalogs.translate(locale, "files", count=count) == expected


def test_plural_without_count_uses_the_other_form(tmp_catalogs):
    assert tmp_catalogs.translate("en", "files", params={"count": "some"}) == "some files"


def test_empty_plural_translation_falls_back_to_english(tmp_catalogs):
    assert tmp_catalogs.translate("es", "files", count=1) == "1 file"
    assert tmp_catalogs.translate("es", "files", count=3) == "3 files"


# -- fallback --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "locale, key, expected",
    [
        ("es_MX", "in.all", "mx Ana"),  # the region's own text
        ("es-MX", "in.all", "mx Ana"),  # the platform spelling works too
        ("es_MX", "in.es", "es nivel idioma"),  # region → language
        ("es_AR", "in.all", "es Ana"),  # a region without a catalog → language
        ("es_MX", "only.en", "English only"),  # language → en
        ("fr", "in.all", "en Ana"),  # no catalog at all → en
        ("", "in.all", "en Ana"),
        ("not a locale!", "in.all", "en Ana"),
        ("es_MX", "no.such.key", "no.such.key"),  # → the key itself
    ],
)
def test_fallback_chain(tmp_catalogs, locale, key, expected):
    assert tmp_catalogs.translate(locale, key, params={"name": "Ana"}) == expected


def test_missing_key_warns_once(tmp_catalogs, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.i18n"):
        for _ in range(3):
            assert tmp_catalogs.translate("en", "ghost.key") == "ghost.key"
    assert len([r for r in caplog.records if "ghost.key" in r.getMessage()]) == 1


def test_catalogs_are_cached(tmp_path):
    write_po(tmp_path, "en", 'msgid "a.b"\nmsgstr "A"\n')
    assert Catalogs.load(tmp_path) is Catalogs.load(str(tmp_path))
    assert default_catalogs() is default_catalogs()
    assert {"en", "es"} <= set(default_catalogs().locales())


def test_no_catalogs_at_all_shows_keys(tmp_path):
    empty = Catalogs.load(tmp_path)
    assert empty.locales() == []
    assert empty.translate("en", "common.back") == "common.back"


# -- parameters ------------------------------------------------------------------------------------------


def test_hostile_params_and_templates_do_not_crash(tmp_catalogs):
    out = tmp_catalogs.translate("en", "hostile", params={"name": "{missing} {0} }{", "0": "zero"})
    # The value is inserted verbatim, never re-parsed; unusable fields stay visible as written.
    # A conversion is ignored rather than applied: no repr() quotes in front of a person.
    assert out == "Hi {missing} {0} }{, {missing}, {0}, {name.__class__}, {missing} {0} }{, {literal}"
    assert tmp_catalogs.translate("en", "broken", params={"x": 1}) == "open { brace"
    assert tmp_catalogs.translate("en", "in.all") == "en {name}"
    assert tmp_catalogs.translate("en", "in.all", params=None) == "en {name}"


def test_param_whose_str_raises_leaves_the_placeholder(tmp_catalogs):
    class Evil:
        def __str__(self):
            raise RuntimeError("boom")

    assert tmp_catalogs.translate("en", "in.all", params={"name": Evil()}) == "en {name}"


def test_params_are_formatted_by_type(tmp_catalogs):
    params = {
        "n": 1234567,
        "m": Money(minor=123456, currency="EUR"),
        "w": When(at=datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc), style="time"),
        "d": Day(on=date(2026, 3, 5), style="medium"),
        "b": True,
        "dec": Decimal("0.5"),
        "raw": "1234",
        "nested": msg("in.all", name="Luz"),
    }
    en = plain(tmp_catalogs.translate("en", "typed", params=params, tz="Europe/Madrid"))
    assert en == "n=1,234,567 m=€1,234.56 w=2:00 PM d=Mar 5, 2026 b=True dec=0.5 raw=1234 nested=en Luz"
    es = plain(tmp_catalogs.translate("es", "typed", params=params, tz="America/Mexico_City"))
    assert es.startswith("n=1.234.567 m=1.234,56 € w=6:00 d=5 mar 2026 b=True dec=0,5 raw=1234 nested=es Luz")


def test_nested_msg_is_translated_in_the_same_locale(tmp_catalogs):
    assert tmp_catalogs.render(msg("outer", inner=msg("in.all", name="X")), "es_MX") == "fuera(mx X)"


def test_self_referencing_msg_stops(tmp_catalogs):
    loop = Msg(key="loop")
    loop.params["me"] = loop  # a cycle: must end, not recurse forever
    out = tmp_catalogs.render(loop, "en")
    assert out.startswith("loop(loop(") and "RecursionError" not in out


def test_count_is_a_formatted_param(shipped):
    assert shipped.render(msg("common.items_count", count=1000000), "en") == "1,000,000 items"


# -- money -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "minor, currency, locale, expected",
    [
        (123456, "USD", "en", "$1,234.56"),
        (123456, "USD", "es", "1.234,56 US$"),
        (123456, "usd", "en", "$1,234.56"),
        (5000, "JPY", "en", "¥5,000"),  # zero-digit currency: minor units are yen
        (5000, "JPY", "es", "5.000 JPY"),
        (1234, "BHD", "en", "BHD1.234"),  # three-digit currency
        (10**15 + 1, "USD", "en", "$10,000,000,000,000.01"),  # a float would print ...0.00 or ...0.02
        (10**15 + 1, "USD", "es", "10.000.000.000.000,01 US$"),
        (-250, "EUR", "en", "-€2.50"),
        (0, "EUR", "es", "0,00 €"),
    ],
)
def test_format_money(minor, currency, locale, expected):
    assert plain(format_money(Money(minor=minor, currency=currency), locale)) == expected


def test_money_amount_is_an_exact_decimal():
    amount = money_amount(Money(minor=10**18 + 7, currency="USD"))
    assert isinstance(amount, Decimal) and amount == Decimal("10000000000000000.07")
    assert money_amount(Money(minor=7, currency="JPY")) == Decimal(7)


# -- dates, times, durations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "utc, tz, expected",
    [
        (datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc), "Europe/Madrid", "1:30 AM"),  # CET, +1
        (datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc), "Europe/Madrid", "3:30 AM"),  # CEST, +2
        (datetime(2026, 11, 1, 5, 30, tzinfo=timezone.utc), "America/New_York", "1:30 AM"),  # EDT, -4
        (datetime(2026, 11, 1, 6, 30, tzinfo=timezone.utc), "America/New_York", "1:30 AM"),  # EST, -5: again
        (datetime(2026, 11, 1, 7, 30, tzinfo=timezone.utc), "America/New_York", "2:30 AM"),
        (datetime(2026, 3, 29, 1, 30), "Europe/Madrid", "3:30 AM"),  # naive is UTC, not server time
        (datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc), "Not/AZone", "1:30 AM"),  # unknown zone → UTC
    ],
)
def test_format_when_uses_the_persons_zone_across_dst(utc, tz, expected):
    assert plain(format_when(When(at=utc, style="time"), "en", tz)) == expected


def test_format_when_styles_and_date_crossing():
    at = datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)
    assert plain(format_when(When(at=at, style="date"), "en", "Asia/Tokyo")) == "Jan 1, 2027"
    assert plain(format_when(When(at=at), "en", "Asia/Tokyo")) == "Jan 1, 2027, 8:30 AM"
    assert plain(format_when(When(at=at), "es", "UTC")) == "31 dic 2026, 23:30"
    assert "2026" in format_when(When(at=at, style="long"), "es", "America/Bogota")
    assert format_when(When(at=at, style="nonsense"), "en", "UTC")  # unknown style still formats


def test_format_day():
    assert plain(format_day(Day(on=date(2026, 3, 5)), "en")) == "Mar 5, 2026"
    assert plain(format_day(Day(on=date(2026, 3, 5)), "es")) == "5 mar 2026"
    assert plain(format_day(Day(on=date(2026, 3, 5), style="short"), "en")) == "3/5/26"


@pytest.mark.parametrize(
    "minutes, locale, expected",
    [
        (90, "en", "1 hr 30 min"),
        (90, "es", "1 h 30 min"),
        (60, "en", "1 hr"),
        (45, "es", "45 min"),
        (0, "en", "0 min"),
        (61 * 60 + 5, "en", "61 hr 5 min"),
        (-45, "en", "-45 min"),
    ],
)
def test_format_duration(minutes, locale, expected):
    assert plain(format_duration(minutes, locale)) == expected


@pytest.mark.parametrize("locale, expected", [("en", "; 17 hr 30 min left."), ("es", "; quedan 17 h 30 min.")])
def test_a_duration_parameter_reads_as_hours_and_minutes(locale, expected):
    """Issue 16: what is left of a day is "17 hr 30 min", never "1,050 minutes" (the shipped catalogs)."""
    shown = plain(default_catalogs().render(msg("hours.error.day_cap", left=Duration(minutes=1050)), locale, "UTC"))
    assert shown.endswith(expected) and "1,050" not in shown and "1.050" not in shown


# -- negotiation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "preferred, hint, available, expected",
    [
        ("es", "en-US", ["en", "es"], "es"),  # the person's choice beats the platform
        (None, "es-MX", ["en", "es"], "es"),
        (None, "es-mx", ["en", "es", "es_MX"], "es_MX"),
        (None, "EN-us", ["en", "es"], "en"),
        (None, "pt_BR", ["en", "es"], "de"),  # nothing fits → default
        (None, "pt-BR", ["en", "pt"], "pt"),
        (None, "zh-Hant-TW", ["en", "zh_TW"], "zh_TW"),
        (None, "es_ES.UTF-8", ["en", "es"], "es"),
        ("fr", "es", ["en", "es"], "es"),  # chosen but unavailable → hint
        ("garbage!!", "es", ["en", "es"], "es"),
        ("", "", ["en", "es"], "en"),
        ("*", "C", ["en", "es"], "en"),
        (None, None, ["en", "es"], "en"),
        (42, ["es"], ["en", "es"], "en"),  # wrong types from a payload
        ("x" * 500, "-", ["en", "es"], "en"),
        ("es", None, [], "en"),
    ],
)
def test_negotiate_locale(preferred, hint, available, expected):
    default = "de" if expected == "de" else "en"
    assert negotiate_locale(preferred, hint, available, default) == expected


# -- localize --------------------------------------------------------------------------------------------


def contains_msg(obj) -> bool:
    if isinstance(obj, Msg):
        return True
    if isinstance(obj, BaseModel):
        return any(contains_msg(v) for v in obj.__dict__.values())
    if isinstance(obj, (list, tuple)):
        return any(contains_msg(v) for v in obj)
    if isinstance(obj, dict):
        return any(contains_msg(v) for v in obj.values())
    return False


def sample_reply() -> Reply:
    return Reply(blocks=[
        Heading(text=msg("common.items_count", count=3)),
        text("literal {not a placeholder}", msg("common.back"), Span(text=msg("common.next"), style="bold")),
        Fields(items=[(msg("common.yes"), "user text"), ("label", msg("common.no"))]),
        Buttons(rows=[[button(msg("common.cancel"), FormCancel(session=1, version=2)), Button(label="Literal", url="https://x")]]),
    ])


def test_localize_replaces_every_msg_in_a_nested_reply(shipped):
    original = sample_reply()
    before = original.model_dump()
    op = SendMessage(message=original, ref="r1")
    out = localize(op, "es", "Europe/Madrid", shipped)

    assert isinstance(out, SendMessage) and out.ref == "r1"
    assert not contains_msg(out)
    blocks = out.message.blocks
    assert isinstance(blocks[0], Heading) and blocks[0].text == "3 elementos"
    assert isinstance(blocks[1], Paragraph)
    assert [s.text for s in blocks[1].spans] == ["literal {not a placeholder}", "Atrás", "Siguiente"]
    assert blocks[1].spans[2].style == "bold"
    assert blocks[2].items == [("Sí", "user text"), ("label", "No")]
    assert isinstance(blocks[2].items[0], tuple)
    assert [b.label for b in out.message.buttons()] == ["Cancelar", "Literal"]
    assert out.message.buttons()[0].action == FormCancel(session=1, version=2)

    # The input is untouched: what held a Msg is a copy; a part with none (the literal button) is shared as is,
    # which is safe because nothing after localization mutates a reply (buttons are encoded before it).
    assert original.model_dump() == before
    assert out.message is not original
    assert out.message.buttons()[0] is not original.buttons()[0]
    assert out.message.buttons()[1] is original.buttons()[1]


def test_localize_forms_and_plain_containers(shipped):
    form = FormSpec(
        id="f",
        title=msg("common.edit"),
        fields=[
            FieldSpec(
                id="ok", kind=FieldKind.choice, label=msg("common.confirm"),
                options=[Option(value="y", label=msg("common.yes")), Option(value="n", label="literally no")],
                placeholder=None,
            )
        ],
    )
    out = localize(form, "en", "UTC", shipped)
    assert out.title == "Edit" and out.fields[0].label == "Confirm"
    assert [o.label for o in out.fields[0].options] == ["Yes", "literally no"]
    assert out.fields[0].kind is FieldKind.choice and out.fields[0].placeholder is None
    assert form.title == msg("common.edit")

    assert localize(msg("common.done"), "es", "UTC", shipped) == "Listo"
    assert localize({"a": [msg("common.more"), ("x", msg("common.previous"))]}, "es", "UTC", shipped) == {
        "a": ["Más", ("x", "Anterior")]
    }
    assert localize(Notice(text=msg("error.button_expired")), "es", "UTC", shipped).text == "Este botón ha caducado."
    assert localize("plain", "es", "UTC", shipped) == "plain"


def test_localize_uses_the_default_catalogs_and_time_zone(shipped):
    m = msg("error.unknown_command", command=When(at=datetime(2026, 1, 1, 12, tzinfo=timezone.utc), style="time"))
    assert "7:00" in localize(m, "en", "America/New_York")


def test_a_message_without_params_reads_right_in_each_locale_and_command_form(shipped):
    # Such messages are kept once rendered (catalog.py): the same key must still follow the locale and the form.
    m = msg("profile.none")
    assert shipped.render(m, "en") == "You have no profile yet. Send /start to create one."
    assert shipped.render(m, "en", command="/panelist {name}") == "You have no profile yet. Send /panelist start to create one."
    assert "/start" in shipped.render(m, "es") and "profile" not in shipped.render(m, "es")
    assert shipped.render(m, "en") == "You have no profile yet. Send /start to create one."
    assert shipped.render(msg("common.done"), "es") == "Listo" and shipped.render(msg("common.done"), "en") == "Done"
