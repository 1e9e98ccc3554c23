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


# --- Counts go through CLDR plural forms -----------------------------------------------------------------------------
# A number followed by a countable noun ("{imported} new tasks") reads wrongly for 1 unless the entry is plural.
# Placeholders that are never numbers but do precede nouns ("{task_type} items need…") are named here.
NOT_COUNTS = {"task_type", "format", "name", "title", "criterion", "kind", "currency", "types", "project", "label", "id",
              "identity", "field", "table", "platform"}
# Words that may stand between the number and its noun ("{imported} new tasks", "{needed} data points").
BETWEEN = {"new", "more", "open", "data", "other", "wrong", "free", "unread", "pending"}
# Plural-looking words that are not nouns after a number.
NOT_NOUNS = {"is", "was", "has", "its", "this", "as", "us", "yes", "less", "plus", "minus", "across", "always",
             "does", "unless", "whereas", "ago"}
# A lookahead, so "{points} of {needed} data points" is looked at from {points} and from {needed}.
PLACEHOLDER_THEN_WORDS = re.compile(r"\{(\w+)\}(?=((?:[ -](?:\{\w+\}|[A-Za-z]+))*))")


def counted_nouns(text: str) -> list[str]:
    """The "{n} noun" phrases of an English text where n reads as a count and the noun is plural."""
    found = []
    for m in PLACEHOLDER_THEN_WORDS.finditer(text):
        name, rest = m.group(1), m.group(2).split()[:4]
        if name in NOT_COUNTS:
            continue
        words = [w for w in rest if not w.startswith("{")]  # "{records} {format} records": skip the format
        while words and words[0].lower() in BETWEEN:
            words = words[1:]
        word = words[0].lower() if words else ""
        if rest and rest[0].startswith("{") and not words:
            continue
        if len(word) > 3 and word.endswith("s") and word not in NOT_NOUNS:
            found.append("{" + name + "} " + " ".join(rest[:3]))
    return found


def test_count_scanner_sees_counted_nouns_and_only_them():
    assert counted_nouns("{name}: {imported} new tasks imported, {existing} already there") == [
        "{imported} new tasks imported"]
    assert counted_nouns("{records} {format} records, {bytes} bytes") == ["{records} {format} records",
                                                                           "{bytes} bytes"]
    assert counted_nouns("Your quality score appears later: {points} of {needed} data points so far.") == [
        "{needed} data points so"]
    assert counted_nouns("{name} is closed. {task_type} items need {min} responses; {hours} h free, {cap}-hour cap") \
        == ["{min} responses"]


def test_a_count_followed_by_a_noun_is_a_plural_entry():
    catalog = load(BASE)
    offenders = []
    for m in catalog:
        if not m.id or isinstance(m.id, tuple):
            continue
        phrases = counted_nouns(m.string)
        if phrases:
            offenders.append(f"{m.id}: {phrases}")
    assert not offenders, "counts without plural forms (make them plural entries, one count each):\n" + "\n".join(
        offenders)


@pytest.mark.parametrize("locale", LOCALE_NAMES)
def test_no_hand_made_plurals_in_catalogs(locale):
    # "decimal place(s)", "migration(s)", "tarea(s)": the catalog has plural forms for this.
    bad = [key for key, texts in entries(load(locale)).items()
           if any(re.search(r"\w\((?:s|es)\)", t) for t in texts)]
    assert not bad, f"{locale}: pluralised by hand: {bad}"


def _msg_calls_with_count(tree):
    """(key, line, whether a count is given) of every msg/say/text/out/err call with a literal key."""
    import ast

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in {"msg", "Msg", "say", "text", "out", "err"}:
            continue
        key = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "key"), None)
        has_count = len(node.args) > 1 and name != "text" or any(k.arg == "count" for k in node.keywords)
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and "." in key.value:
            yield key.value, node.lineno, has_count


def test_code_passes_a_count_exactly_to_plural_entries():
    import ast

    plural = {m.id[0] for m in load(BASE) if isinstance(m.id, tuple)}
    offenders = []
    for folder in ("app", "bot", "domain", "handlers", "storage"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for key, line, has_count in _msg_calls_with_count(ast.parse(path.read_text(encoding="utf-8"))):
                if has_count != (key in plural):
                    offenders.append(f"{path.relative_to(ROOT)}:{line} {key} "
                                     + ("has no plural forms" if has_count else "is plural but gets no count="))
    assert not offenders, "counts and plural entries disagree:\n" + "\n".join(offenders)


def test_count_call_scanner_finds_counts():
    import ast

    src = 'msg("a.b", count=1)\nsay("c.d", 2)\nmsg("e.f", n=1)\ntext(msg("g.h", count=n))\nsay.err("i.j", count=3)\n'
    assert sorted((k, c) for k, _, c in _msg_calls_with_count(ast.parse(src))) == [
        ("a.b", True), ("c.d", True), ("e.f", False), ("g.h", True), ("i.j", True)]


HAND_PLURAL = re.compile(r"""["'](?:s|es)["']\s+if\b|\bif\b[^\n]*(?:!=|==)\s*1\s+else\s+["'](?:s|es)?["']"""
                         r"""|\+\s*["'](?:s|es)["']""")


def test_hand_plural_scanner():
    for bad in ['f"{n} task{\'s\' if n != 1 else \'\'}"', 'word = "task" + "s"', 'x = "" if n == 1 else "s"']:
        assert HAND_PLURAL.search(bad), bad
    for fine in ['msg("a.b", count=n)', 'if n == 1:', '"s" in text']:
        assert not HAND_PLURAL.search(fine), fine


def test_code_does_not_pluralise_by_hand():
    # '"s" if n != 1' and friends: English-only and wrong in Spanish; use a plural entry.
    hand = HAND_PLURAL
    offenders = []
    for folder in ("app", "bot", "domain", "handlers", "storage"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if hand.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not offenders, "pluralised by hand:\n" + "\n".join(offenders)


@pytest.mark.parametrize("locale, expected", [
    ("en", "Ward: 1 new task imported, 2 already there (unchanged), 1 line with problems."),
    ("es", "Ward: 1 tarea nueva importada, 2 ya existentes (sin cambios), 1 línea con problemas."),
])
def test_an_import_of_one_task_reads_in_the_singular(locale, expected):
    from bot.i18n.catalog import Catalogs
    from bot.i18n.text import msg

    summary = msg("import.summary", name="Ward", imported=msg("import.summary.imported", count=1), existing=2,
                  problems=msg("import.summary.problems", count=1))
    assert Catalogs.load(LOCALES).render(summary, locale) == expected


# --- Spanish addresses the reader without assuming gender ----------------------------------------------------------
# Forms that say something about the reader with a gendered ending. "la bienvenida" is the neutral way to welcome;
# "listo"/"lista" about a task or a list is fine, so only the reader-addressed shapes are named.
_READER_STATES = (r"segur|list|registrad|preparad|inscrit|invitad|conectad|vinculad|enlazad|suscrit|dispuest|interesad"
                  r"|ocupad|cansad|aprobad|apuntad|bloquead|pausad|añadid|unid|calificad|cualificad|nuev|sol")
GENDERED_TO_READER = [
    re.compile(r"(?<!la )\bbienvenid[oa]s?\b", re.I),                          # "Bienvenido", not "te damos la bienvenida"
    re.compile(r"\b(?:estás|eres|quedas|sigues|serás|has sido|fuiste|te sientes)\s+(?:\w+\s+)?(?:"
               + _READER_STATES + r")(?:o|a|os|as)\b", re.I),                # "¿Estás seguro?", "ya estás registrada"
    re.compile(r"¿\s*(?:segur|list|preparad|dispuest)[oa]s?\b", re.I),       # "¿Seguro?", "¿Lista?"
    # "Aprobada: …" about you ("Registrado: 1h" is about the hours, so not named here)
    re.compile(r"^\s*(?:enlazad|aprobad|inscrit|apuntad)[oa]\s*:", re.I | re.M),
    re.compile(r"\b\w+[oe]s?/as?\b|\b\w+\((?:a|as)\)", re.I),                 # "seguro/a", "experto(a)": still gendered
    re.compile(r"\b(?:tu perfil de|como|eres|(?:un|una) nuev[oa]) (?:experto|experta|revisor|revisora|usuario|usuaria)\b",
               re.I),                                                        # "tu perfil de experto"
]


def gendered_to_reader(text: str) -> list[str]:
    return [m.group(0) for p in GENDERED_TO_READER for m in p.finditer(text)]


def test_gender_scanner_catches_reader_forms_and_leaves_the_rest():
    for bad in ["Bienvenido a Panelist", "¡Bienvenida de nuevo!", "¿Estás seguro?", "Ya estás registrada.",
                "¿Lista para empezar?", "Aprobada: ahora tienes X", "¿Quieres seguir, seguro/a?", "Tu perfil de experto",
                "Eres un nuevo usuario", "Sigues conectado."]:
        assert gendered_to_reader(bad), bad
    for fine in ["Te damos la bienvenida a Panelist", "¿Quieres descartarlo?", "Listo", "La tarea está lista.",
                 "Elige las opciones y pulsa Listo.", "Tu respuesta fue aprobada.", "aprobada", "Elegido hasta ahora:",
                 "Tu perfil profesional", "Las personas expertas de un proyecto", "No hay nada seguro aún.",
                 "Escríbela como slack:EQUIPO/USUARIO", "y/o"]:
        assert not gendered_to_reader(fine), fine


def test_spanish_does_not_assume_the_readers_gender():
    offenders = []
    for key, texts in entries(load("es")).items():
        for t in texts:
            if found := gendered_to_reader(t):
                offenders.append(f"{key}: {found} in {t!r}")
    assert not offenders, "Spanish text that assumes the reader's gender:\n" + "\n".join(offenders)


# --- Hints name buttons by the labels the buttons really have -------------------------------------------------------
def _label_keys(all_keys: set[str]) -> set[str]:
    """Keys the code shows as a button or a choice: button(msg("k"), …), Choice(label=msg("k")), and for keys built
    at run time (msg(f"command.{n}.button")) every key that fits the literal parts."""
    import ast

    found: set[str] = set()
    for folder in ("app", "bot", "domain", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                if name not in {"button", "Choice", "Button"}:
                    continue
                label = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "label"), None)
                if not (isinstance(label, ast.Call) and getattr(label.func, "id", "") == "msg" and label.args):
                    continue
                key = label.args[0]
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    found.add(key.value)
                elif isinstance(key, ast.JoinedStr):
                    parts = [v.value if isinstance(v, ast.Constant) else None for v in key.values]
                    pattern = re.compile("".join(re.escape(p) if p is not None else r"[^.]+" for p in parts) + "$")
                    found |= {k for k in all_keys if pattern.match(k)}
    return found


# Quoted words that are examples, not buttons.
QUOTES_NOT_BUTTONS = {"task.feedback.generic"}
QUOTED = re.compile(r"[“«]([^”»{}]{1,60})[”»]")
# "press Done" in each catalog's words (the verbs people are told to use on a button, capitalised label after it).
PRESS = re.compile(r"\b(?:press|tap|click|pulsa|toca|haz clic en|toque em|clique em|aperte|appuyez sur|touchez|"
                   r"cliquez sur|tippen Sie auf|klicken Sie auf|drücken Sie)\s+((?:[A-ZÁÉÍÓÚÑÂÊÔÃÕÇÀÈÙÎÛÄÖÜ¿][\w¿?…]*)"
                   r"(?: [a-záéíóúñâêôãõçàèùîûäöüß]+)*)(?=[.,;:)]|$)")


def button_mentions(text: str) -> list[str]:
    return QUOTED.findall(text) + PRESS.findall(text)


def test_button_mention_scanner():
    assert button_mentions("Elige todas y pulsa Hecho.") == ["Hecho"]
    assert button_mentions("…then press Done.") == ["Done"]
    assert button_mentions("“My drafts” lists it, «Siguiente tarea» continues; «{label}» is not") == [
        "My drafts", "Siguiente tarea"]
    assert button_mentions("press the button") == []


@pytest.mark.parametrize("locale", LOCALE_NAMES)
def test_hints_name_buttons_as_the_buttons_read(locale):
    texts = entries(load(locale))
    labels = {texts[k][0] for k in _label_keys(set(texts)) if k in texts}
    assert texts["common.done"][0] in labels, "the scanner found no button labels at all"
    wrong = []
    for key, forms in texts.items():
        if key in QUOTES_NOT_BUTTONS:
            continue
        for t in forms:
            wrong += [f"{key}: {name!r}" for name in button_mentions(t) if name not in labels]
    assert not wrong, f"{locale}: hints naming a button no button has:\n" + "\n".join(sorted(set(wrong)))


# A slash right after a space, quote or line start, then a word: "/next". Not "true/false", "{cmd:next}", a URL.
LITERAL_COMMAND = re.compile(r"(?<![\w/:.{])/[A-Za-z][\w-]*")
CMD_REF = re.compile(r"\{cmd:([^}]*)\}")
DEMO_ONLY = {"as", "quit"}  # the console demo's own words (app/demo.py, the console adapter), not routed commands


def test_literal_command_scanner():
    assert LITERAL_COMMAND.findall("Send /help, or “/log 1h”.\n/next") == ["/help", "/log", "/next"]
    assert LITERAL_COMMAND.findall("true/false, {cmd:next}, https://a.b/c, 5/12, 1/2") == []


@pytest.mark.parametrize("locale", LOCALE_NAMES)
def test_no_catalog_text_writes_a_slash_command(locale):
    """Slack runs `/panelist next` where Telegram runs `/next`: a catalog names a command as `{cmd:next}` and
    staging writes it for the recipient's platform (`Capabilities.command`), so no text may write the slash itself."""
    literal = [f"{key}: {found}" for key, forms in entries(load(locale)).items() for t in forms
               for found in LITERAL_COMMAND.findall(t)]
    assert not literal, f"{locale}: write these as {{cmd:name}}:\n" + "\n".join(literal)


def test_command_references_name_real_commands_in_both_catalogs_alike():
    from handlers import build

    commands = set(build().commands) | DEMO_ONLY
    base = entries(load(BASE))
    for locale in LOCALE_NAMES:
        for key, forms in entries(load(locale)).items():
            named = {n for t in forms for n in CMD_REF.findall(t)}
            assert named <= commands, f"{locale}: {key} names no command: {sorted(named - commands)}"
            if key in base:  # a translation refers to the commands the English text refers to
                assert named == {n for t in base[key] for n in CMD_REF.findall(t)}, f"{locale}: {key}"
