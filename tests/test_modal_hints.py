"""Help written for the step-by-step wizard ("…then press Done") is not what a modal shows: a form shown whole has
only its submit and close buttons, so each field help that names a step button has a `.modal` variant
(bot.core.wizard.modal_texts). Every field help the code gives a form is rendered here as a Slack modal in every
language and read for the wizard's button names (issue 17, point 4)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.adapters.slack.render import render_modal
from bot.core.forms import FieldKind, FieldSpec, FormSpec, RenderedForm
from bot.core.form_modal import modal_texts
from bot.i18n.catalog import Catalogs
from bot.i18n.localize import localize
from bot.i18n.text import msg

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = Catalogs.load(ROOT / "locales")
STEP_BUTTON_KEYS = ("common.back", "common.skip", "common.done", "form.stop")  # the wizard's, not a modal's


def help_keys() -> dict[str, str]:
    """Catalog keys given as a field's `help` anywhere in the code (directly, or through a local name): key → where."""
    found: dict[str, str] = {}
    for folder in ("bot", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for fn in ast.walk(tree):
                if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
                    continue
                assigned: dict[str, list[ast.AST]] = {}
                for node in ast.walk(fn):
                    if isinstance(node, ast.Assign):
                        for target in node.targets:
                            if isinstance(target, ast.Name):
                                assigned.setdefault(target.id, []).append(node.value)
                for node in ast.walk(fn):
                    if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "FieldSpec"):
                        continue
                    for kw in node.keywords:
                        if kw.arg != "help":
                            continue
                        sources = assigned.get(kw.value.id, []) if isinstance(kw.value, ast.Name) else [kw.value]
                        for source in sources:
                            for call in ast.walk(source):
                                if (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "msg" and call.args
                                        and isinstance(call.args[0], ast.Constant)):
                                    found[call.args[0].value] = f"{path.relative_to(ROOT)}:{call.lineno}"
    return found


def test_the_scan_finds_the_helps_of_every_kind_of_form():
    keys = help_keys()
    assert {"onboarding.domains.help", "assess.choose_all", "availability.quiet.help", "availability.quiet_end.help",
            "review.comment.help", "ping.options.help"} <= set(keys), sorted(keys)


@pytest.mark.parametrize("locale", CATALOGS.locales())
def test_no_modal_help_names_a_button_the_modal_lacks(locale):
    keys = sorted(help_keys())
    spec = FormSpec(id="every_help", title=msg("onboarding.title"), fields=[
        FieldSpec(id=f"f{i}", kind=FieldKind.short_text, label=key, help=msg(key, count=2, min=1, max=2, unit="h"))
        for i, key in enumerate(keys)])
    view = render_modal(localize(RenderedForm(spec=modal_texts(CATALOGS, spec)), locale, catalogs=CATALOGS), 1,
                        title="t", submit_label=CATALOGS.translate(locale, "common.confirm"),
                        close_label=CATALOGS.translate(locale, "common.cancel"))
    buttons = {CATALOGS.translate(locale, k) for k in STEP_BUTTON_KEYS}
    wrong = [f"{block['label']['text']}: {name!r} in {block['hint']['text']!r}"
             for block in view["blocks"] if "hint" in block for name in buttons
             if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", block["hint"]["text"])]
    assert not wrong, f"{locale}: add a `.modal` variant without the step button:\n" + "\n".join(wrong)
    # A modal shows no suggestion buttons either, so its time zone help offers none to pick.
    timezone = next(b for b in view["blocks"] if b["label"]["text"] == "onboarding.timezone.help")
    assert timezone["hint"]["text"] == CATALOGS.translate(locale, "onboarding.timezone.help.modal")
    # The wizard keeps its own words: the step-by-step help still says "press Done".
    assert CATALOGS.translate(locale, "common.done") in CATALOGS.translate(locale, "onboarding.domains.help")


def test_a_modal_variant_is_only_for_a_help_key():
    """`.modal` keys exist only beside a field help the code uses (a stray one would never be shown)."""
    keys = help_keys()
    for locale in CATALOGS.locales():
        catalog = CATALOGS.catalog(locale)
        variants = {m.id for m in catalog if isinstance(m.id, str) and m.id.endswith(".modal")}
        assert variants, locale
        assert {v[:-len(".modal")] for v in variants} <= set(keys), locale
