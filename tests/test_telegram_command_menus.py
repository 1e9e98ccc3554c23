"""setMyCommands for every language: the real adapter and python-telegram-bot against the strict Bot API stand-in,
which refuses a command name outside [a-z0-9_]{1,32}, a description outside 1–256 characters, and a language_code
that is not two lower-case letters (as Telegram does)."""
from __future__ import annotations

import json

import pytest
import telegram
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from app.settings import Settings
from app.wiring import build_runtime
from bot.adapters.telegram.commands import MAX_DESCRIPTION, language_code, set_commands
from bot.i18n.catalog import Catalogs, default_locales_dir
from tests.telegram_standin import BotApiStandIn

DEFAULT_SCOPE = json.dumps({"type": "default"}, sort_keys=True)


def menus(api: BotApiStandIn) -> dict[str, list[dict]]:
    """Language code ("" for the menu without one) → the default-scope menu set for it."""
    return {key.split("|")[1]: commands for key, commands in api.commands.items() if key.split("|")[0] == DEFAULT_SCOPE}


def locale_folders() -> list[str]:
    return sorted(p.name for p in default_locales_dir().iterdir() if (p / "LC_MESSAGES" / "panelist.po").is_file())


@pytest.fixture
def chat(telegram_chat):
    return telegram_chat


async def test_every_locale_folder_gets_its_menu_in_its_own_language(chat):
    catalogs, router = chat.runtime.catalogs, chat.runtime.router
    set_for = menus(chat.api)
    english = {c["command"]: c["description"] for c in set_for["en"]}
    assert {"start", "help", "language"} <= set(english)
    folders = locale_folders()
    assert {"en", "es"} <= set(folders)
    for locale in folders:
        code = language_code(locale)
        assert code in set_for, f"no setMyCommands with language_code={code!r} for {locale}"
        shown = {c["command"]: c["description"] for c in set_for[code]}
        assert set(shown) == set(english), locale
        for name, description in shown.items():
            assert 1 <= len(description) <= MAX_DESCRIPTION, (locale, name)
            route = router.commands[name]
            assert description == " ".join(catalogs.translate(locale, route.help_key).split())[:MAX_DESCRIPTION]
        if code != "en":  # written in that language, not English left over
            assert all(shown[n] != english[n] for n in ("help", "language", "cancel")), locale
    assert set_for[""] == set_for[language_code(chat.settings.default_locale)]  # everyone else: the default's


def write_catalog(root, locale: str, texts: dict[str, str]) -> None:
    folder = root / locale / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = Catalog(locale=locale, domain="panelist")
    for key, value in texts.items():
        catalog.add(key, value)
    with open(folder / "panelist.po", "wb") as fh:
        write_po(fh, catalog)


async def test_regional_catalogs_go_as_two_letter_codes_and_long_descriptions_are_cut(tmp_path):
    """Catalogs for five languages plus Angolan Portuguese (first by name): one menu per two-letter code, pt from
    pt_BR (CLDR's likeliest Portuguese), each description that catalog's own, a 420-character one cut to 256."""
    with open(default_locales_dir() / "en" / "LC_MESSAGES" / "panelist.po", "rb") as fh:
        english = {m.id: m.string for m in read_po(fh) if m.id and isinstance(m.id, str)}
    for locale in ("en", "es", "pt_AO", "pt_BR", "fr", "de"):
        texts = {k: f"[{locale}] {v}" for k, v in english.items()}
        if locale == "de":
            texts["command.help.help"] = "Hilfe " * 70  # 420 characters
        write_catalog(tmp_path, locale, texts)
    catalogs = Catalogs.load(tmp_path)
    router = build_runtime(Settings(database_url="sqlite:///unused.db")).router
    async with BotApiStandIn() as api:
        async with telegram.Bot(api.token, base_url=api.base_url, base_file_url=api.file_url) as bot:
            done = await set_commands(bot, router, catalogs, "en")
        assert api.refusals == []
        set_for = menus(api)
    assert set(set_for) == {"", "en", "es", "pt", "fr", "de"} and set(done) == {None, "en", "es", "pt", "fr", "de"}
    for code, locale in {"en": "en", "es": "es", "pt": "pt_BR", "fr": "fr", "de": "de", "": "en"}.items():
        for command in set_for[code]:
            assert 1 <= len(command["description"]) <= MAX_DESCRIPTION
            if not (code == "de" and command["command"] == "help"):
                assert command["description"].startswith(f"[{locale}] "), (code, command)
    [cut] = [c["description"] for c in set_for["de"] if c["command"] == "help"]
    assert len(cut) == MAX_DESCRIPTION and cut.endswith("…")
