"""The shipped catalogs are complete and consistent, every key the code names exists, and the wheel carries them."""
from __future__ import annotations

import re
import shutil
import string
import subprocess
import sys
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
BASE = "en"
# msg("some.key" …) and Msg(key="some.key" …) literals, and the CLI's say.out/err/text("cli.key" …); keys built at
# run time cannot be checked here.
KEY_LITERAL = re.compile(
    r"""\b(?:msg|Msg|say|out|err|text)\(\s*(?:key\s*=\s*)?["']([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)+)["']""")


def load(locale: str):
    with open(LOCALES / locale / "LC_MESSAGES" / "panelist.po", "rb") as fh:
        return read_po(fh, locale=locale)


def entries(catalog) -> dict[str, tuple[str, ...]]:
    """key → its texts (one for a plain entry, one per plural form)."""
    out = {}
    for m in catalog:
        if not m.id:
            continue
        key = m.id[0] if isinstance(m.id, tuple) else m.id
        out[key] = tuple(m.string) if isinstance(m.string, tuple) else (m.string,)
    return out


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


LOCALE_NAMES = sorted(p.parent.parent.name for p in LOCALES.glob("*/LC_MESSAGES/panelist.po"))
TRANSLATIONS = [loc for loc in LOCALE_NAMES if loc != BASE]


def test_there_is_a_base_catalog_and_at_least_one_translation():
    assert BASE in LOCALE_NAMES
    assert TRANSLATIONS, "expected at least one translated catalog"


@pytest.mark.parametrize("locale", LOCALE_NAMES)
def test_catalog_parses_with_a_proper_header(locale):
    catalog = load(locale)
    header = dict(catalog.mime_headers)
    assert header.get("Language") == locale
    assert "charset=utf-8" in header.get("Content-Type", "").lower()
    assert "Plural-Forms" in header, "without Plural-Forms Babel guesses; say it explicitly"
    # The header must agree with CLDR's rule as Babel knows it, or plural forms would be picked wrongly.
    assert catalog.num_plurals == get_plural(locale).num_plurals


@pytest.mark.parametrize("locale", LOCALE_NAMES)
def test_no_empty_fuzzy_or_duplicate_entries(locale):
    path = LOCALES / locale / "LC_MESSAGES" / "panelist.po"
    ids = re.findall(r'^msgid "(.+)"$', path.read_text(encoding="utf-8"), flags=re.M)
    dupes = sorted({k for k in ids if ids.count(k) > 1})
    assert not dupes, f"{locale}: duplicate keys {dupes}"
    catalog = load(locale)
    for m in catalog:
        if not m.id:
            continue
        assert not m.fuzzy, f"{locale}: {m.id!r} is fuzzy (would be ignored at run time)"
        texts = m.string if isinstance(m.string, tuple) else (m.string,)
        assert all(texts), f"{locale}: {m.id!r} has an empty msgstr"


@pytest.mark.parametrize("locale", TRANSLATIONS)
def test_every_english_key_is_translated(locale):
    missing = sorted(set(entries(load(BASE))) - set(entries(load(locale))))
    assert not missing, f"{locale} lacks keys: {missing}"


@pytest.mark.parametrize("locale", TRANSLATIONS)
def test_no_keys_that_english_does_not_have(locale):
    extra = sorted(set(entries(load(locale))) - set(entries(load(BASE))))
    assert not extra, f"{locale} has keys English lacks (typo or removed key?): {extra}"


@pytest.mark.parametrize("locale", LOCALE_NAMES)
def test_placeholders_match_english_in_every_form(locale):
    base = entries(load(BASE))
    problems = []
    for key, texts in entries(load(locale)).items():
        if key not in base:
            continue
        expected = set().union(*(placeholders(t) for t in base[key]))
        for i, text in enumerate(texts):
            try:
                got = placeholders(text)
            except ValueError as e:
                problems.append(f"{key}[{i}]: malformed braces ({e})")
                continue
            if got != expected:
                problems.append(f"{key}[{i}]: {sorted(got)} != English {sorted(expected)}")
            bad = [f for f in got if not f.isidentifier()]
            if bad:
                problems.append(f"{key}[{i}]: only plain {{name}} placeholders are filled, not {bad}")
    assert not problems, f"{locale}:\n" + "\n".join(problems)


@pytest.mark.parametrize("locale", LOCALE_NAMES)
def test_plural_entries_have_as_many_forms_as_plural_forms_says(locale):
    catalog = load(locale)
    for m in catalog:
        if isinstance(m.id, tuple):
            assert m.id[1] == m.id[0] + ".plural", f"{locale}: msgid_plural of {m.id[0]!r} must be key + '.plural'"
    # Babel pads missing forms with "" when reading, so count the msgstr[N] lines as written.
    text = (LOCALES / locale / "LC_MESSAGES" / "panelist.po").read_text(encoding="utf-8")
    for entry in re.split(r"\n\s*\n", text):
        key = re.search(r'^msgid "(.+)"$', entry, flags=re.M)
        if key and re.search(r'^msgid_plural "', entry, flags=re.M):
            indices = [int(i) for i in re.findall(r"^msgstr\[(\d+)\]", entry, flags=re.M)]
            assert indices == list(range(catalog.num_plurals)), (
                f"{locale}: {key.group(1)!r} has forms {indices}, Plural-Forms wants {catalog.num_plurals}"
            )


def test_plural_keys_are_plural_in_every_catalog():
    def plural_keys(locale):
        return {m.id[0] for m in load(locale) if isinstance(m.id, tuple)}

    base = plural_keys(BASE)
    for locale in TRANSLATIONS:
        keys = set(entries(load(locale)))
        assert plural_keys(locale) == base & keys, f"{locale}: plural in one catalog, plain in the other"


def test_every_key_named_in_code_exists_in_english():
    base = set(entries(load(BASE)))
    used: dict[str, str] = {}
    for folder in ("app", "bot", "domain", "handlers", "storage"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for key in KEY_LITERAL.findall(path.read_text(encoding="utf-8")):
                used.setdefault(key, str(path.relative_to(ROOT)))
    missing = {k: where for k, where in used.items() if k not in base}
    assert not missing, "keys used in code but missing from locales/en: " + ", ".join(
        f"{k} ({where})" for k, where in sorted(missing.items())
    )


def test_key_scanner_finds_both_spellings():
    src = 'a = msg("a.b", n=1)\nb = Msg(key="c.d_e")\nc = msg(\n    "f.g")\nd = msg(f"no.{x}")\ne = msg(variable)\n'
    assert KEY_LITERAL.findall(src) == ["a.b", "c.d_e", "f.g"]
    assert KEY_LITERAL.findall('say.err("cli.x", n=1)\nsay.out("cli.y")\nsay.text("cli.z")\nstdout("q.r")\n') == [
        "cli.x", "cli.y", "cli.z"]


def test_locales_package_resources_are_found():
    root = files("locales")
    for locale in LOCALE_NAMES:
        po = root / locale / "LC_MESSAGES" / "panelist.po"
        assert po.is_file(), f"importlib.resources cannot see {locale} catalog"
        assert 'msgid "' in po.read_text(encoding="utf-8")


def test_wheel_ships_every_catalog(tmp_path):
    # Build from a copy: building in the checkout would leave build/ and *.egg-info behind for everyone.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, src / name)
    for package in ("app", "bot", "domain", "handlers", "storage", "locales"):
        if (ROOT / package).is_dir():
            shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(src)],
        capture_output=True, text=True, timeout=300,
    )
    if proc.returncode != 0 and ("No matching distribution" in proc.stderr or "Could not find a version" in proc.stderr):
        pytest.skip("build backend cannot be installed here (offline?): " + proc.stderr[-300:])
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (wheel,) = out.glob("panelist-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for locale in LOCALE_NAMES:
        assert f"locales/{locale}/LC_MESSAGES/panelist.po" in names, f"{locale} catalog not in the wheel"


def test_command_aliases_name_real_commands_and_never_clash():
    """`command.<name>.aliases` (bot/core/commands.py): every alias key names a registered command, and no alias
    is another command's name or claimed by two commands (it would run neither)."""
    from bot.core.commands import CommandNames, fold
    from bot.i18n.catalog import Catalogs
    from handlers import build

    commands = build().commands
    catalogs = Catalogs.load(LOCALES)
    for locale in LOCALE_NAMES:
        for key, texts in entries(load(locale)).items():
            if key.endswith(".aliases"):
                name = key[len("command."):-len(".aliases")]
                assert key.startswith("command.") and name in commands, f"{locale}: {key} names no command"
                for alias in texts[0].split():
                    assert fold(alias) not in commands, f"{locale}: alias {alias!r} is a command's own name"
    names = CommandNames(commands, catalogs)
    assert names.clashes == set()
    assert names.aliases("es")["siguiente"] == "next" and names.aliases("es")["idioma"] == "language"
    assert names.aliases("es")["proyectos"] == "projects"
