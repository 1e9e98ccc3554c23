"""Gettext catalogs read at run time: `locales/<locale>/LC_MESSAGES/panelist.po`, msgid = message key.

No compile step: Babel parses the .po files once per process. Lookups fall back locale → language → "en" →
the key itself, so a missing translation shows English and a missing key shows the key, never an exception.
"""
from __future__ import annotations

import gettext
import logging
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Callable, Mapping

from babel import UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.i18n.text import COMMAND_FORM, Msg, command_ref
from bot.i18n.formatting import format_value

log = logging.getLogger(__name__)

DOMAIN = "panelist"
BASE_LOCALE = "en"
_MAX_NESTING = 4  # a Msg inside a Msg param inside…; deeper than this is a bug, shown as its key
_formatter = string.Formatter()
CMD_FIELD = "cmd"  # `{cmd:next}` in a catalog text: the command `next` as the recipient's platform writes it
COMMAND_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class LocaleTexts:
    """One parsed catalog: key → text, or key → plural forms with the catalog's own plural rule."""

    locale: str
    texts: Mapping[str, str | tuple[str, ...]]
    plural_index: Callable[[int], int]
    catalog: Catalog


def _read(locale: str, po_path: Path) -> LocaleTexts:
    try:
        with open(po_path, "rb") as fh:
            catalog = read_po(fh, locale=locale, domain=DOMAIN)
    except (ValueError, UnknownLocaleError):  # a directory name CLDR does not know: the file's own Language header decides
        with open(po_path, "rb") as fh:
            catalog = read_po(fh, domain=DOMAIN)
    texts: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:  # the header, and guesses not yet reviewed
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if isinstance(message.string, tuple):
            forms = tuple(message.string)
            if all(forms):
                texts[key] = forms
        elif message.string:
            texts[key] = message.string
    return LocaleTexts(locale, texts, gettext.c2py(catalog.plural_expr), catalog)


def default_locales_dir() -> Path:
    """The installed `locales` package, so a wheel install finds its catalogs like a source checkout does."""
    return Path(str(files("locales")))


class Catalogs:
    """All catalogs of one locales directory. Immutable after load; safe to share between tasks."""

    def __init__(self, by_locale: Mapping[str, LocaleTexts]):
        self._by_locale = dict(by_locale)
        self._chains: dict[str, tuple[LocaleTexts, ...]] = {}
        self._warned: set[tuple[str, ...]] = set()
        # A message without params or count reads the same every time (button labels, titles, hints): kept per
        # (locale, key, command form). Bounded, since locale strings may come from outside.
        self._plain: dict[tuple[str, str, str], str] = {}

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Catalogs":
        root = Path(path) if path is not None else default_locales_dir()
        return _load_cached(str(root.resolve()))

    def locales(self) -> list[str]:
        return sorted(self._by_locale)

    def catalog(self, locale: str) -> Catalog | None:
        """The raw Babel catalog (for tests and tooling), or None when `locale` has no file."""
        texts = self._by_locale.get(locale)
        return texts.catalog if texts else None

    def has(self, locale: str, key: str) -> bool:
        texts = self._by_locale.get(locale)
        return bool(texts and key in texts.texts)

    def translate(
        self,
        locale: str,
        key: str,
        count: int | None = None,
        params: Mapping[str, Any] | None = None,
        tz: str = "UTC",
        command: str = COMMAND_FORM,
    ) -> str:
        return self._translate(locale, key, count, params or {}, tz, 0, command)

    def render(self, message: Msg, locale: str, tz: str = "UTC", command: str = COMMAND_FORM) -> str:
        """`message` for `locale`; command references (`{cmd:next}`, `Command`) are written in `command` form."""
        if message.params or message.count is not None:
            return self._translate(locale, message.key, message.count, message.params, tz, 0, command)
        key = (locale, message.key, command)
        text = self._plain.get(key)
        if text is None:
            text = self._translate(locale, message.key, None, {}, tz, 0, command)
            if len(self._plain) < 16384:
                self._plain[key] = text
        return text

    # -- internals -------------------------------------------------------------------------------------

    def _chain(self, locale: str) -> tuple[LocaleTexts, ...]:
        chain = self._chains.get(locale)
        if chain is None:
            norm = (locale or "").replace("-", "_")
            names = [norm, norm.split("_")[0], BASE_LOCALE]
            seen: list[LocaleTexts] = []
            for name in names:
                texts = self._by_locale.get(name)
                if texts is not None and texts not in seen:
                    seen.append(texts)
            chain = tuple(seen)
            if len(self._chains) < 1024:  # locale strings may come from outside; keep the memo bounded
                self._chains[locale] = chain
        return chain

    def _warn_once(self, *what: str) -> None:
        if what not in self._warned:
            if len(self._warned) < 4096:
                self._warned.add(what)
            log.warning("i18n: %s", " ".join(what))

    def _translate(self, locale: str, key: str, count: int | None, params: Mapping[str, Any], tz: str, depth: int,
                   command: str = COMMAND_FORM) -> str:
        for texts in self._chain(locale):
            found = texts.texts.get(key)
            if found is not None:
                break
        else:
            self._warn_once("missing key", repr(key), "for", repr(locale))
            return key
        if texts is not self._chain(locale)[0] and texts.locale == BASE_LOCALE:
            # The person's language has a catalog but not this key: an untranslated string, worth one line.
            self._warn_once("untranslated", repr(key), "in", repr(self._chain(locale)[0].locale))
        if isinstance(found, tuple):
            template = found[self._plural_form(texts, key, count)]
        else:
            template = found

        if depth >= _MAX_NESTING:
            self._warn_once("messages nested too deep at", repr(key))
            return template

        def nested(m: Msg) -> str:
            return self._translate(locale, m.key, m.count, m.params, tz, depth + 1, command)

        values = dict(params)
        if count is not None and "count" not in values:
            values["count"] = count
        return self._fill(template, values, locale, tz, nested, key, command)

    def _plural_form(self, texts: LocaleTexts, key: str, count: int | None) -> int:
        forms = texts.texts[key]
        if count is None:
            self._warn_once("plural", repr(key), "used without a count")
            return len(forms) - 1  # "other" is the last form in every gettext plural rule
        try:
            index = texts.plural_index(abs(int(count)))
        except (TypeError, ValueError):
            index = len(forms) - 1
        return min(max(index, 0), len(forms) - 1)

    def _fill(self, template: str, values: Mapping[str, Any], locale: str, tz: str, nested: Callable[[Msg], str], key: str,
              command: str = COMMAND_FORM) -> str:
        """`str.format` restricted to plain `{name}` fields, so neither params nor a translator's typo can crash
        a reply or reach attributes (`{x.__class__}`); anything unusable stays in the text as written.

        `{cmd:next}` is a command reference, not a parameter: catalogs never write a slash form themselves, since
        Slack runs `/panelist next` where Telegram runs `/next` (`command`, from the platform's capabilities)."""
        pieces = _parse(template)
        if pieces is None:
            self._warn_once("malformed placeholders in", repr(key), "for", repr(locale))
            return template
        out: list[str] = []
        for literal, field, spec, conversion in pieces:
            out.append(literal)
            if field is None:
                continue
            if field == CMD_FIELD and spec and not conversion and COMMAND_NAME.fullmatch(spec):
                out.append(command_ref(spec, command))
                continue
            raw = "{" + field + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            if not field.isidentifier() or field not in values:
                self._warn_once("no value for", raw, "in", repr(key))
                out.append(raw)
                continue
            try:
                text = format_value(values[field], locale, tz, nested, command)
                out.append(format(text, spec) if spec else text)
            except Exception:  # a bad value must not lose the whole reply
                log.exception("i18n: could not format %s in %r", field, key)
                out.append(raw)
        return "".join(out)


@lru_cache(maxsize=4096)
def _parse(template: str) -> tuple[tuple[str, str | None, str | None, str | None], ...] | None:
    """The template split into (literal, field, spec, conversion); None when its braces are malformed."""
    try:
        return tuple(_formatter.parse(template))
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _load_cached(root: str) -> Catalogs:
    by_locale: dict[str, LocaleTexts] = {}
    for po_path in sorted(Path(root).glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        locale = po_path.parent.parent.name
        by_locale[locale] = _read(locale, po_path)
    if not by_locale:
        log.warning("i18n: no catalogs under %s; every message will show its key", root)
    return Catalogs(by_locale)


@lru_cache(maxsize=1)
def default_catalogs() -> Catalogs:
    return Catalogs.load()
