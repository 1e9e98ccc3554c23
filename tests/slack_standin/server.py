"""A strict loopback stand-in for the Slack Web API, for tests that drive the real slack-sdk / slack-bolt.

`SlackApiStandIn` is an aiohttp server on 127.0.0.1 (a free port). Point `AsyncWebClient(base_url=...)` at
`stand_in.base_url`. It records every call in `.calls` and refuses what Slack refuses, recording each refusal in
`.refusals`. The Block Kit rules it enforces live in the pure functions `validate_blocks`, `validate_view` and
`validate_message` so renderer tests can check their output against exactly the same rules.

Strictness choices, where Slack's own behaviour is looser or unknowable offline, are noted inline (`STRICT:`).
"""
from __future__ import annotations

import codecs
import itertools
import json
import math
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable
from urllib.parse import parse_qsl

from aiohttp import web

from .signing import BOT_ID, BOT_USER_ID, APP_ID, TEAM_ID

# ----------------------------------------------------------------------------------------------------------------
# Block Kit validation (pure)
# ----------------------------------------------------------------------------------------------------------------

MAX_MESSAGE_TEXT = 40_000
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100

BLOCK_TYPES = {
    "section", "divider", "image", "actions", "context", "header", "input", "rich_text", "file", "video", "markdown",
}
SELECTS = {
    "static_select", "external_select", "users_select", "conversations_select", "channels_select",
}
MULTI_SELECTS = {"multi_" + s for s in SELECTS}
ACTIONS_ELEMENTS = (
    {"button", "checkboxes", "datepicker", "datetimepicker", "overflow", "radio_buttons", "timepicker",
     "workflow_button", "rich_text_input"}
    | SELECTS | MULTI_SELECTS
)
INPUT_ELEMENTS = (
    {"plain_text_input", "checkboxes", "radio_buttons", "datepicker", "timepicker", "datetimepicker",
     "email_text_input", "url_text_input", "number_input", "file_input", "rich_text_input"}
    | SELECTS | MULTI_SELECTS
)
ACCESSORY_ELEMENTS = (
    {"button", "checkboxes", "datepicker", "image", "overflow", "radio_buttons", "timepicker", "workflow_button"}
    | SELECTS | MULTI_SELECTS
)
SLACK_FILE_ID = re.compile(r"^F[A-Z0-9]{8,}$")


def _size(text: str) -> int:
    """STRICT: lengths in UTF-16 code units (what a JavaScript string counts), never fewer than code points."""
    return len(text.encode("utf-16-le")) // 2


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class _Checker:
    def __init__(self, surface: str) -> None:
        self.surface = surface  # "message" | "modal" | "home"
        self.errors: list[str] = []
        self.action_ids: dict[str, str] = {}
        self.block_ids: set[str] = set()
        self.block_scope = ""  # explicit block_id of the block being checked, "" when it has none
        self.slack_files: list[tuple[str, str | None, str | None]] = []  # (json pointer, id, url) of slack_file refs

    def err(self, ptr: str, message: str) -> None:
        self.errors.append(f"[ERROR] {message} [json-pointer:{ptr}]")

    # -- generic helpers ------------------------------------------------------------------------------------------
    def keys(self, obj: dict, ptr: str, allowed: set[str]) -> None:
        for k in obj:
            if k not in allowed:
                self.err(f"{ptr}/{k}", f"unknown property '{k}'")

    def string(self, obj: dict, key: str, ptr: str, max_len: int, required: bool = False, min_len: int = 0) -> None:
        if key not in obj:
            if required:
                self.err(ptr, f"missing required field: {key}")
            return
        v = obj[key]
        if not isinstance(v, str):
            self.err(f"{ptr}/{key}", "must be a string")
            return
        if _size(v) < min_len:
            self.err(f"{ptr}/{key}", f"must be at least {min_len} characters")
        if _size(v) > max_len:
            self.err(f"{ptr}/{key}", f"must be less than {max_len + 1} characters")

    def boolean(self, obj: dict, key: str, ptr: str) -> None:
        if key in obj and not isinstance(obj[key], bool):
            self.err(f"{ptr}/{key}", "must be a boolean")

    def text(self, obj: Any, ptr: str, max_len: int, kinds: tuple[str, ...] = ("plain_text", "mrkdwn"),
             min_len: int = 1) -> None:
        if not isinstance(obj, dict):
            self.err(ptr, "must be a text object")
            return
        kind = obj.get("type")
        if kind not in ("plain_text", "mrkdwn"):
            self.err(f"{ptr}/type", "must be 'plain_text' or 'mrkdwn'")
            return
        if kind not in kinds:
            self.err(f"{ptr}/type", f"must be '{kinds[0]}'" if len(kinds) == 1 else "invalid text type")
        self.keys(obj, ptr, {"type", "text", "emoji"} if kind == "plain_text" else {"type", "text", "verbatim"})
        if "text" not in obj:
            self.err(ptr, "missing required field: text")
            return
        self.string(obj, "text", ptr, max_len, min_len=min_len)
        self.boolean(obj, "emoji" if kind == "plain_text" else "verbatim", ptr)

    def action_id(self, el: dict, ptr: str) -> None:
        if "action_id" not in el:
            return
        aid = el["action_id"]
        if not isinstance(aid, str) or not aid:
            self.err(f"{ptr}/action_id", "must be a non-empty string")
            return
        if len(aid) > 255:
            self.err(f"{ptr}/action_id", "must be less than 256 characters")
        # Slack requires action_id unique within its block; state and presses are keyed by (block_id, action_id).
        # STRICT: blocks without an explicit block_id share one scope, so a message whose blocks carry no ids
        # must not repeat an action_id anywhere (a press could not be told apart by its action_id).
        key = f"{self.block_scope}\x00{aid}"
        if key in self.action_ids:
            self.err(f"{ptr}/action_id", f"duplicate action_id '{aid}' (also at {self.action_ids[key]})")
        else:
            self.action_ids[key] = ptr

    def confirm(self, obj: Any, ptr: str) -> None:
        if not isinstance(obj, dict):
            self.err(ptr, "must be a confirmation object")
            return
        self.keys(obj, ptr, {"title", "text", "confirm", "deny", "style"})
        for k, n in (("title", 100), ("confirm", 30), ("deny", 30)):
            if k not in obj:
                self.err(ptr, f"missing required field: {k}")
            else:
                self.text(obj[k], f"{ptr}/{k}", n, ("plain_text",))
        if "text" not in obj:
            self.err(ptr, "missing required field: text")
        else:
            self.text(obj["text"], f"{ptr}/text", 300)

    def option(self, opt: Any, ptr: str, kinds: tuple[str, ...] = ("plain_text",), url: bool = False) -> None:
        if not isinstance(opt, dict):
            self.err(ptr, "must be an option object")
            return
        self.keys(opt, ptr, {"text", "value", "description"} | ({"url"} if url else set()))
        if "text" not in opt:
            self.err(ptr, "missing required field: text")
        else:
            self.text(opt["text"], f"{ptr}/text", 75, kinds)
        self.string(opt, "value", ptr, 150, required=True, min_len=1)
        if "description" in opt:
            self.text(opt["description"], f"{ptr}/description", 75, kinds)
        if url:
            self.string(opt, "url", ptr, 3000)

    def options(self, el: dict, ptr: str, max_items: int, kinds: tuple[str, ...] = ("plain_text",),
                groups: bool = False, url: bool = False, min_items: int = 1) -> list[dict]:
        """Validate options/option_groups; return the flat list of options for initial_option checks."""
        flat: list[dict] = []
        has_o, has_g = "options" in el, "option_groups" in el
        if groups and has_o and has_g:
            self.err(ptr, "must provide either options or option_groups, not both")
        if not has_o and not (groups and has_g):
            self.err(ptr, "missing required field: options")
            return flat
        if has_o:
            opts = el["options"]
            if not isinstance(opts, list):
                self.err(f"{ptr}/options", "must be an array")
                return flat
            if not (min_items <= len(opts) <= max_items):
                self.err(f"{ptr}/options", f"must have between {min_items} and {max_items} items, has {len(opts)}")
            for i, o in enumerate(opts):
                self.option(o, f"{ptr}/options/{i}", kinds, url)
                flat.append(o)
        if groups and has_g:
            grps = el["option_groups"]
            if not isinstance(grps, list):
                self.err(f"{ptr}/option_groups", "must be an array")
                return flat
            if not (1 <= len(grps) <= 100):
                self.err(f"{ptr}/option_groups", f"must have between 1 and 100 items, has {len(grps)}")
            for gi, g in enumerate(grps):
                gp = f"{ptr}/option_groups/{gi}"
                if not isinstance(g, dict):
                    self.err(gp, "must be an option group")
                    continue
                self.keys(g, gp, {"label", "options"})
                if "label" not in g:
                    self.err(gp, "missing required field: label")
                else:
                    self.text(g["label"], f"{gp}/label", 75, ("plain_text",))
                gopts = g.get("options")
                if not isinstance(gopts, list) or not (1 <= len(gopts) <= 100):
                    self.err(f"{gp}/options", "must be an array of 1 to 100 options")
                    continue
                for i, o in enumerate(gopts):
                    self.option(o, f"{gp}/options/{i}", kinds)
                    flat.append(o)
        values = [o.get("value") for o in flat if isinstance(o, dict)]
        if len(values) != len(set(values)):
            self.err(ptr, "option values must be unique")
        return flat

    def initial_in(self, chosen: Any, flat: list[dict], ptr: str) -> None:
        if not isinstance(chosen, dict):
            self.err(ptr, "must be an option object")
            return
        if not any(chosen == o for o in flat):
            self.err(ptr, "must match one of the provided options exactly")

    # -- elements ------------------------------------------------------------------------------------------------
    def element(self, el: Any, ptr: str, allowed: set[str]) -> None:
        if not isinstance(el, dict):
            self.err(ptr, "must be an element object")
            return
        t = el.get("type")
        if t not in allowed:
            self.err(f"{ptr}/type", f"element type '{t}' is not allowed here")
            return
        self.action_id(el, ptr)
        common = {"type", "action_id", "focus_on_load"}
        if "placeholder" in el:
            self.text(el["placeholder"], f"{ptr}/placeholder", 150, ("plain_text",))
        if "confirm" in el:
            self.confirm(el["confirm"], f"{ptr}/confirm")
        if t == "button":
            self.keys(el, ptr, {"type", "text", "action_id", "value", "url", "style", "confirm", "accessibility_label"})
            if "text" not in el:
                self.err(ptr, "missing required field: text")
            else:
                self.text(el["text"], f"{ptr}/text", 75, ("plain_text",))
            self.string(el, "value", ptr, 2000)
            self.string(el, "url", ptr, 3000)
            self.string(el, "accessibility_label", ptr, 75)
            if "style" in el and el["style"] not in ("primary", "danger"):
                self.err(f"{ptr}/style", "must be 'primary' or 'danger'")
        elif t in ("static_select", "multi_static_select"):
            multi = t.startswith("multi_")
            self.keys(el, ptr, common | {"options", "option_groups", "placeholder", "confirm"}
                      | ({"initial_options", "max_selected_items"} if multi else {"initial_option"}))
            flat = self.options(el, ptr, 100, groups=True)
            if not multi and "initial_option" in el:
                self.initial_in(el["initial_option"], flat, f"{ptr}/initial_option")
            if multi and "initial_options" in el:
                for i, o in enumerate(el["initial_options"] or []):
                    self.initial_in(o, flat, f"{ptr}/initial_options/{i}")
            if multi and "max_selected_items" in el:
                if not isinstance(el["max_selected_items"], int) or el["max_selected_items"] < 1:
                    self.err(f"{ptr}/max_selected_items", "must be an integer >= 1")
        elif t in ("checkboxes", "radio_buttons"):
            multi = t == "checkboxes"
            self.keys(el, ptr, common | {"options", "confirm"} | ({"initial_options"} if multi else {"initial_option"}))
            flat = self.options(el, ptr, 10, kinds=("plain_text", "mrkdwn"))
            if not multi and "initial_option" in el:
                self.initial_in(el["initial_option"], flat, f"{ptr}/initial_option")
            if multi and "initial_options" in el:
                for i, o in enumerate(el["initial_options"] or []):
                    self.initial_in(o, flat, f"{ptr}/initial_options/{i}")
        elif t == "overflow":
            self.keys(el, ptr, {"type", "action_id", "options", "confirm"})
            self.options(el, ptr, 5, url=True, min_items=1)
        elif t == "plain_text_input":
            self.keys(el, ptr, common | {"placeholder", "initial_value", "multiline", "min_length", "max_length",
                                         "dispatch_action_config"})
            self.string(el, "initial_value", ptr, 3000)
            self.boolean(el, "multiline", ptr)
            lo, hi = el.get("min_length"), el.get("max_length")
            if lo is not None and (not isinstance(lo, int) or not 0 <= lo <= 3000):
                self.err(f"{ptr}/min_length", "must be an integer between 0 and 3000")
            if hi is not None and (not isinstance(hi, int) or not 1 <= hi <= 3000):
                self.err(f"{ptr}/max_length", "must be an integer between 1 and 3000")
            if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
                self.err(f"{ptr}/min_length", "must not exceed max_length")
            if isinstance(hi, int) and isinstance(el.get("initial_value"), str) and _size(el["initial_value"]) > hi:
                self.err(f"{ptr}/initial_value", "is longer than max_length")
            self.dispatch_config(el, ptr)
        elif t == "number_input":
            self.keys(el, ptr, common | {"is_decimal_allowed", "placeholder", "initial_value", "min_value",
                                         "max_value", "dispatch_action_config"})
            if "is_decimal_allowed" not in el:
                self.err(ptr, "missing required field: is_decimal_allowed")
            self.boolean(el, "is_decimal_allowed", ptr)
            nums: dict[str, float] = {}
            for k in ("initial_value", "min_value", "max_value"):
                if k in el:
                    v = el[k]
                    pattern = r"^-?\d+(\.\d+)?$" if el.get("is_decimal_allowed") else r"^-?\d+$"
                    if not isinstance(v, str) or not re.match(pattern, v):
                        self.err(f"{ptr}/{k}", "must be a string holding a number of the allowed kind")
                    else:
                        nums[k] = float(v)
            self.dispatch_config(el, ptr)
            if "min_value" in nums and "max_value" in nums and nums["min_value"] > nums["max_value"]:
                self.err(f"{ptr}/min_value", "must not exceed max_value")
            if "initial_value" in nums:
                if "min_value" in nums and nums["initial_value"] < nums["min_value"]:
                    self.err(f"{ptr}/initial_value", "is below min_value")
                if "max_value" in nums and nums["initial_value"] > nums["max_value"]:
                    self.err(f"{ptr}/initial_value", "is above max_value")
        elif t == "datepicker":
            self.keys(el, ptr, common | {"initial_date", "placeholder", "confirm"})
            d = el.get("initial_date")
            if d is not None:
                ok = isinstance(d, str) and bool(_DATE_RE.match(d))
                if ok:
                    try:
                        date.fromisoformat(d)
                    except ValueError:
                        ok = False
                if not ok:
                    self.err(f"{ptr}/initial_date", "must be a date in the format YYYY-MM-DD")
        elif t == "timepicker":
            self.keys(el, ptr, common | {"initial_time", "placeholder", "confirm", "timezone"})
            tm = el.get("initial_time")
            if tm is not None and (not isinstance(tm, str) or not _TIME_RE.match(tm)):
                self.err(f"{ptr}/initial_time", "must be a time in the format HH:mm")
        elif t == "file_input":
            self.keys(el, ptr, {"type", "action_id", "filetypes", "max_files"})
            if self.surface != "modal":
                self.err(ptr, "file_input is only allowed in modals")
            mf = el.get("max_files")
            if mf is not None and (not isinstance(mf, int) or not 1 <= mf <= 10):
                self.err(f"{ptr}/max_files", "must be an integer between 1 and 10")
            ft = el.get("filetypes")
            if ft is not None and (not isinstance(ft, list) or not all(isinstance(x, str) for x in ft)):
                self.err(f"{ptr}/filetypes", "must be an array of strings")
        elif t == "image":
            self.keys(el, ptr, {"type", "image_url", "slack_file", "alt_text"})
            if ("image_url" in el) == ("slack_file" in el):
                self.err(ptr, "must provide exactly one of image_url or slack_file")
            self.string(el, "image_url", ptr, 3000)
            self.slack_file(el, ptr)
            self.string(el, "alt_text", ptr, 2000, required=True, min_len=1)
        elif t in ("external_select", "multi_external_select"):
            self.keys(el, ptr, common | {"placeholder", "initial_option", "initial_options", "min_query_length",
                                         "confirm", "max_selected_items"})
        # Other element types (users_select, conversations_select, datetimepicker, email/url inputs, rich text
        # input, workflow_button) are accepted with only the common checks above.

    def slack_file(self, obj: dict, ptr: str) -> None:
        """A `slack_file` object: exactly one of `id` (F + 8 or more capitals/digits) or `url`. Whether the file
        exists, is an image and is the app's own is checked by the server (`SlackApiStandIn._check_files`)."""
        if "slack_file" not in obj:
            return
        sf, p = obj["slack_file"], f"{ptr}/slack_file"
        if not isinstance(sf, dict):
            self.err(p, "must be a slack file object")
            return
        self.keys(sf, p, {"id", "url"})
        if ("id" in sf) == ("url" in sf):
            self.err(p, "must provide exactly one of id or url")
        if "id" in sf and not (isinstance(sf["id"], str) and SLACK_FILE_ID.match(sf["id"])):
            self.err(f"{p}/id", "input must match regex pattern: ^[F][A-Z0-9]{8,}$")
        if "url" in sf:
            self.string(sf, "url", p, 3000)
        self.slack_files.append((p, sf.get("id"), sf.get("url")))

    def dispatch_config(self, el: dict, ptr: str) -> None:
        """`dispatch_action_config` of a text or number input: which typing sends a block_actions."""
        if "dispatch_action_config" not in el:
            return
        cfg = el["dispatch_action_config"]
        p = f"{ptr}/dispatch_action_config"
        if not isinstance(cfg, dict):
            self.err(p, "must be an object")
            return
        self.keys(cfg, p, {"trigger_actions_on"})
        on = cfg.get("trigger_actions_on")
        if not isinstance(on, list) or not on or any(t not in ("on_enter_pressed", "on_character_entered") for t in on):
            self.err(f"{p}/trigger_actions_on",
                     "must be a non-empty array of 'on_enter_pressed' and/or 'on_character_entered'")

    # -- blocks --------------------------------------------------------------------------------------------------
    def blocks(self, blocks: Any, ptr: str, max_blocks: int) -> None:
        if not isinstance(blocks, list):
            self.err(ptr, "must be an array")
            return
        if len(blocks) > max_blocks:
            self.err(ptr, f"must be less than {max_blocks + 1} items, has {len(blocks)}")
        for i, b in enumerate(blocks):
            self.block(b, f"{ptr}/{i}")

    def block(self, b: Any, ptr: str) -> None:
        if not isinstance(b, dict):
            self.err(ptr, "must be a block object")
            return
        t = b.get("type")
        if t not in BLOCK_TYPES:
            self.err(f"{ptr}/type", f"unknown block type '{t}'")
            return
        self.block_scope = "#" + b["block_id"] if isinstance(b.get("block_id"), str) else ""
        if "block_id" in b:
            bid = b["block_id"]
            if not isinstance(bid, str) or not bid or len(bid) > 255:
                self.err(f"{ptr}/block_id", "must be a string of 1 to 255 characters")
            elif bid in self.block_ids:
                self.err(f"{ptr}/block_id", f"duplicate block_id '{bid}'")
            else:
                self.block_ids.add(bid)
        if t == "section":
            self.keys(b, ptr, {"type", "block_id", "text", "fields", "accessory", "expand"})
            if "text" not in b and "fields" not in b:
                self.err(ptr, "must provide text or fields")
            if "text" in b:
                self.text(b["text"], f"{ptr}/text", 3000)
            if "fields" in b:
                fs = b["fields"]
                if not isinstance(fs, list) or not 1 <= len(fs) <= 10:
                    self.err(f"{ptr}/fields", "must be an array of 1 to 10 text objects")
                else:
                    for i, f in enumerate(fs):
                        self.text(f, f"{ptr}/fields/{i}", 2000)
            if "accessory" in b:
                self.element(b["accessory"], f"{ptr}/accessory", ACCESSORY_ELEMENTS)
            self.boolean(b, "expand", ptr)
        elif t == "header":
            self.keys(b, ptr, {"type", "block_id", "text"})
            if "text" not in b:
                self.err(ptr, "missing required field: text")
            else:
                self.text(b["text"], f"{ptr}/text", 150, ("plain_text",))
        elif t == "divider":
            self.keys(b, ptr, {"type", "block_id"})
        elif t == "image":
            self.keys(b, ptr, {"type", "block_id", "image_url", "slack_file", "alt_text", "title"})
            if ("image_url" in b) == ("slack_file" in b):
                self.err(ptr, "must provide exactly one of image_url or slack_file")
            self.string(b, "image_url", ptr, 3000)
            self.slack_file(b, ptr)
            self.string(b, "alt_text", ptr, 2000, required=True, min_len=1)
            if "title" in b:
                self.text(b["title"], f"{ptr}/title", 2000, ("plain_text",))
        elif t == "context":
            self.keys(b, ptr, {"type", "block_id", "elements"})
            els = b.get("elements")
            if not isinstance(els, list) or not 1 <= len(els) <= 10:
                self.err(f"{ptr}/elements", "must be an array of 1 to 10 elements")
                return
            for i, e in enumerate(els):
                if isinstance(e, dict) and e.get("type") in ("plain_text", "mrkdwn"):
                    self.text(e, f"{ptr}/elements/{i}", 3000)
                else:
                    self.element(e, f"{ptr}/elements/{i}", {"image"})
        elif t == "actions":
            self.keys(b, ptr, {"type", "block_id", "elements"})
            els = b.get("elements")
            if not isinstance(els, list) or not 1 <= len(els) <= 25:
                self.err(f"{ptr}/elements", "must be an array of 1 to 25 elements")
                return
            for i, e in enumerate(els):
                self.element(e, f"{ptr}/elements/{i}", ACTIONS_ELEMENTS)
        elif t == "input":
            # STRICT: Slack now tolerates input blocks in messages/home; this project only uses them in modals.
            if self.surface != "modal":
                self.err(ptr, "input blocks are only allowed in modals")
            self.keys(b, ptr, {"type", "block_id", "label", "element", "hint", "optional", "dispatch_action"})
            if "label" not in b:
                self.err(ptr, "missing required field: label")
            else:
                self.text(b["label"], f"{ptr}/label", 2000, ("plain_text",))
            if "element" not in b:
                self.err(ptr, "missing required field: element")
            else:
                self.element(b["element"], f"{ptr}/element", INPUT_ELEMENTS)
            if "hint" in b:
                self.text(b["hint"], f"{ptr}/hint", 2000, ("plain_text",))
            self.boolean(b, "optional", ptr)
            self.boolean(b, "dispatch_action", ptr)
        elif t == "markdown":
            self.keys(b, ptr, {"type", "block_id", "text"})
            self.string(b, "text", ptr, 12000, required=True, min_len=1)
        # rich_text, file, video: structure not checked beyond the type and block_id.


def validate_blocks(blocks: Any, surface: str = "message") -> list[str]:
    """Errors (empty when valid) for a blocks array on `surface` ('message', 'modal' or 'home')."""
    c = _Checker(surface)
    c.blocks(blocks, "/blocks", MAX_MESSAGE_BLOCKS if surface == "message" else MAX_VIEW_BLOCKS)
    return c.errors


def slack_file_refs(blocks: Any, surface: str = "message") -> list[tuple[str, str | None, str | None]]:
    """Every `slack_file` a blocks array names: (json pointer, id, url)."""
    c = _Checker(surface)
    c.blocks(blocks, "/blocks", 10**6)
    return c.slack_files


def validate_message(text: Any = None, blocks: Any = None, attachments: Any = None) -> tuple[str | None, list[str]]:
    """(error code or None, detail messages) for the text/blocks of chat.postMessage/update/postEphemeral."""
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return "invalid_blocks_format", ["[ERROR] blocks is not valid JSON [json-pointer:/blocks]"]
    has_text = isinstance(text, str) and text.strip() != ""
    if not has_text and not blocks and not attachments:
        return "no_text", []
    if text is not None and not isinstance(text, str):
        return "invalid_arguments", ["[ERROR] text must be a string [json-pointer:/text]"]
    if isinstance(text, str) and _size(text) > MAX_MESSAGE_TEXT:
        return "msg_too_long", []
    if blocks:
        errs = validate_blocks(blocks, "message")
        if errs:
            return "invalid_blocks", errs
    return None, []


def validate_view(view: Any) -> list[str]:
    """Errors (empty when valid) for a modal or home view object."""
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            return ["[ERROR] view is not valid JSON [json-pointer:/view]"]
    if not isinstance(view, dict):
        return ["[ERROR] view must be an object [json-pointer:/view]"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return ["[ERROR] view type must be 'modal' or 'home' [json-pointer:/view/type]"]
    c = _Checker(kind)
    common = {"type", "blocks", "private_metadata", "callback_id", "external_id"}
    if kind == "modal":
        c.keys(view, "/view", common | {"title", "submit", "close", "clear_on_close", "notify_on_close",
                                        "submit_disabled"})
        if "title" not in view:
            c.err("/view", "missing required field: title")
        else:
            c.text(view["title"], "/view/title", 24, ("plain_text",))
        for k in ("submit", "close"):
            if k in view:
                c.text(view[k], f"/view/{k}", 24, ("plain_text",))
        for k in ("clear_on_close", "notify_on_close", "submit_disabled"):
            c.boolean(view, k, "/view")
        blocks = view.get("blocks")
        if isinstance(blocks, list) and "submit" not in view and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        ):
            c.err("/view", "submit is required when an input block is within the blocks array")
    else:
        c.keys(view, "/view", common)
    if "blocks" not in view:
        c.err("/view", "missing required field: blocks")
    else:
        c.blocks(view["blocks"], "/view/blocks", MAX_VIEW_BLOCKS)
    c.string(view, "private_metadata", "/view", 3000)
    c.string(view, "callback_id", "/view", 255)
    c.string(view, "external_id", "/view", 255)
    return c.errors


# ----------------------------------------------------------------------------------------------------------------
# The server
# ----------------------------------------------------------------------------------------------------------------

BAD_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\]")
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"), (b"%PDF-", "application/pdf"), (b"ID3", "audio/mpeg"), (b"\xff\xfb", "audio/mpeg"),
    (b"OggS", "audio/ogg"), (b"PK\x03\x04", "application/zip"),
)


def sniff_mime(data: bytes) -> str:
    """The type Slack would detect, by content (a few signatures), never by the name."""
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:4096], final=False)
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


@dataclass
class Call:
    method: str  # Web API method ("chat.postMessage") or "upload" / "download" for file transfer URLs
    params: dict[str, Any]  # query + form fields + JSON body merged
    json: dict[str, Any] | None  # the JSON body, when the request had one
    headers: dict[str, str]
    http_method: str = "POST"
    status: int = 200
    response: Any = None


@dataclass
class Refusal:
    method: str
    error: str
    messages: list[str] = field(default_factory=list)
    status: int = 200


class _Refuse(Exception):
    def __init__(self, error: str, messages: list[str] | None = None, status: int = 200,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []
        self.status = status
        self.headers = headers or {}


@dataclass
class User:
    id: str
    name: str = "someone"
    locale: str = "en-US"
    tz: str = "UTC"
    is_bot: bool = False


@dataclass
class StoredFile:
    id: str
    name: str
    data: bytes | None
    title: str = ""
    mimetype: str = "application/octet-stream"
    declared_length: int | None = None
    completed: bool = False
    channels: list[str] = field(default_factory=list)  # empty: private to the app that uploaded it
    initial_comment: str | None = None
    thread_ts: str | None = None
    deleted: bool = False


class SlackApiStandIn:
    """Loopback Slack Web API. `async with SlackApiStandIn() as slack: AsyncWebClient(token=slack.token, base_url=slack.base_url)`."""

    def __init__(
        self,
        token: str = "xoxb-test-token",
        *,
        team_id: str = TEAM_ID,
        bot_user_id: str = BOT_USER_ID,
        bot_id: str = BOT_ID,
        app_id: str = APP_ID,
        rate_limit: bool = False,
        rate_limit_interval: float = 1.0,
        rate_limit_burst: int = 1,
        trigger_ttl: float = 3.0,
        max_file_bytes: int = 1024 ** 3,
    ) -> None:
        self.token = token
        self.tokens: set[str] = {token}
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.rate_limit = rate_limit  # per channel, for chat.postMessage / chat.postEphemeral
        self.rate_limit_interval = rate_limit_interval  # a token per channel every this many seconds...
        self.rate_limit_burst = rate_limit_burst  # ...at most this many saved up (a short burst is fine)
        self.connections: set = set()  # client address of every connection a call came over
        self.trigger_ttl = trigger_ttl
        self.calls: list[Call] = []
        self.refusals: list[Refusal] = []
        self._failures: dict[str, list[_Refuse]] = {}  # method -> errors to answer its next calls with
        self.injected: list[Refusal] = []  # failures answered because a test asked (not in `refusals`)
        self.users: dict[str, User] = {}
        self.files: dict[str, StoredFile] = {}
        self.max_file_bytes = max_file_bytes
        self.bytes_uploaded = 0  # bytes received at upload URLs (what re-using a file id saves)
        self.image_block_files: list[str] = []  # file ids image blocks named, in every accepted message or view
        self.views: dict[str, dict] = {}  # view id -> current view (modals and homes)
        self.home_views: dict[str, dict] = {}  # user id -> published home view
        self.dm_channels: dict[str, str] = {}  # user id -> D… channel id
        self.ephemerals: dict[str, list[dict]] = {}
        self._messages: dict[str, list[dict]] = {}
        self._ts_counter: dict[str, int] = {}
        self._ts_base = int(time.time())
        self._triggers: dict[str, float] = {}  # trigger id -> issued at (monotonic)
        self._used_triggers: set[str] = set()
        self._last_post: dict[str, tuple[float, float]] = {}  # channel -> (tokens, when counted)
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port: int = 0

    # -- lifecycle -----------------------------------------------------------------------------------------------
    async def __aenter__(self) -> "SlackApiStandIn":
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        app.router.add_get("/files-pri/{team_file}/{name}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}api/"

    # -- test-side registry --------------------------------------------------------------------------------------
    def fail(self, method: str, error: str = "internal_error", status: int = 500, *, times: int = 1,
             retry_after: int | None = None) -> None:
        """Answer the next `times` calls of `method` ("chat.postMessage", "files.completeUploadExternal", …) with
        `{"ok": false, "error": error}` and HTTP `status` (fault injection). Recorded in `injected`, not in
        `refusals`: a test that asks for them expects them."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        self._failures.setdefault(method, []).extend([_Refuse(error, status=status, headers=headers)] * times)

    def new_trigger_id(self) -> str:
        tid = f"{next(self._ids)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        self._triggers[tid] = time.monotonic()
        return tid

    def add_user(self, user_id: str, *, locale: str = "en-US", tz: str = "UTC", name: str | None = None,
                 is_bot: bool = False) -> User:
        u = User(id=user_id, name=name or user_id.lower(), locale=locale, tz=tz, is_bot=is_bot)
        self.users[user_id] = u
        return u

    def add_file(self, file_id: str, name: str, data: bytes, *, mimetype: str = "application/octet-stream",
                 title: str | None = None) -> StoredFile:
        f = StoredFile(id=file_id, name=name, data=data, title=title or name, mimetype=mimetype, completed=True)
        self.files[file_id] = f
        return f

    def url_private(self, file_id: str) -> str:
        f = self.files[file_id]
        return f"{self.root_url}files-pri/{self.team_id}-{f.id}/{f.name}"

    def messages_in(self, channel: str) -> list[dict]:
        return list(self._messages.get(channel, []))

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def succeeded_since(self, seen: int) -> tuple[list["Call"], int]:
        """The calls after the first `seen` that Slack answered ok, and how many calls there are now: what a
        client watching the workspace would have seen since it last looked."""
        calls = self.calls
        new = [c for c in calls[seen:] if isinstance(c.response, dict) and c.response.get("ok")]
        return new, len(calls)

    def uploaded_files(self) -> list[StoredFile]:
        """Files shared through the files.uploadV2 flow (completed uploads), in order."""
        return [f for f in self.files.values() if f.completed and f.declared_length is not None]

    # -- plumbing ------------------------------------------------------------------------------------------------
    def _next_ts(self, channel: str) -> str:
        n = self._ts_counter.get(channel, 0) + 1
        self._ts_counter[channel] = n
        return f"{self._ts_base}.{n:06d}"

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    async def _read(self, request: web.Request) -> tuple[dict, dict | None]:
        params: dict[str, Any] = dict(request.query)
        body_json = None
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                raw = await request.read()
                try:
                    body_json = json.loads(raw or b"{}")
                except ValueError:
                    raise _Refuse("invalid_json")
                if not isinstance(body_json, dict):
                    raise _Refuse("invalid_json")
                params.update(body_json)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for k, v in form.items():
                    params[k] = v if isinstance(v, str) else getattr(v, "file", v)
            else:
                raw = await request.read()
                if raw:
                    params.update(dict(parse_qsl(raw.decode("utf-8", "replace"))))
        return params, body_json

    def _auth(self, request: web.Request, params: dict, body_json: dict | None) -> None:
        header = request.headers.get("Authorization", "")
        token = None
        if header.startswith("Bearer "):
            token = header[len("Bearer "):].strip()
        elif body_json is None:
            # Token as a form/query argument is accepted for form posts; JSON bodies need the header (as Slack).
            token = params.pop("token", None)
        if not token:
            raise _Refuse("not_authed")
        if token not in self.tokens:
            raise _Refuse("invalid_auth")

    def _refuse(self, method: str, r: _Refuse, call: Call) -> web.Response:
        self.refusals.append(Refusal(method, r.error, r.messages, r.status))
        body: dict[str, Any] = {"ok": False, "error": r.error}
        if r.messages:
            body["errors"] = r.messages
            body["response_metadata"] = {"messages": r.messages}
        call.status, call.response = r.status, body
        return web.json_response(body, status=r.status, headers=r.headers)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.connections.add(request.transport.get_extra_info("peername") if request.transport else None)
        call = Call(method=method, params={}, json=None, headers=dict(request.headers), http_method=request.method)
        self.calls.append(call)
        try:
            params, body_json = await self._read(request)
            call.params, call.json = dict(params), body_json
            handler = self._handlers().get(method)
            if handler is None:
                raise _Refuse("unknown_method", status=404)
            self._auth(request, params, body_json)
            if self._failures.get(method):
                r = self._failures[method].pop(0)
                self.injected.append(Refusal(method, r.error, r.messages, r.status))
                body = {"ok": False, "error": r.error}
                call.status, call.response = r.status, body
                return web.json_response(body, status=r.status, headers=r.headers)
            result = handler(params)
        except _Refuse as r:
            return self._refuse(method, r, call)
        body = {"ok": True, **result}
        call.response = body
        return web.json_response(body)

    def _handlers(self) -> dict[str, Callable[[dict], dict]]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "files.info": self._files_info,
            "files.delete": self._files_delete,
        }

    # -- checks shared by handlers ---------------------------------------------------------------------------------
    @staticmethod
    def _require(params: dict, *names: str) -> None:
        for n in names:
            if params.get(n) in (None, ""):
                raise _Refuse("invalid_arguments", [f"[ERROR] missing required field: {n} [json-pointer:/{n}]"])

    @staticmethod
    def _channel(params: dict) -> str:
        ch = params.get("channel")
        if not ch:
            raise _Refuse("channel_not_found")
        if not isinstance(ch, str) or not re.match(r"^[CDGU][A-Z0-9]+$", ch):
            raise _Refuse("channel_not_found")
        return ch

    def _check_rate(self, channel: str) -> None:
        if not self.rate_limit:
            return
        now = time.monotonic()
        tokens, at = self._last_post.get(channel, (float(self.rate_limit_burst), now))
        tokens = min(float(self.rate_limit_burst), tokens + (now - at) / self.rate_limit_interval)
        if tokens < 1:
            wait = (1 - tokens) * self.rate_limit_interval
            raise _Refuse("ratelimited", status=429, headers={"Retry-After": str(max(1, math.ceil(wait)))})
        self._last_post[channel] = (tokens - 1, now)

    def _message_content(self, params: dict) -> tuple[str | None, list | None]:
        text, blocks = params.get("text"), params.get("blocks")
        err, msgs = validate_message(text, blocks, params.get("attachments"))
        if err:
            raise _Refuse(err, msgs)
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        errs = self._check_files(blocks or [], "message")
        if errs:
            raise _Refuse("invalid_blocks", errs)
        return text, blocks

    def _check_files(self, blocks: list, surface: str, base: str = "") -> list[str]:
        """Every `slack_file` must name a file of this workspace whose upload was completed (a private one is fine:
        the app that uploaded it may show it), that is not deleted and that Slack sees as an image by its content.
        STRICT: a `url` reference is refused too; this project references files by id only."""
        errs = []
        for ptr, fid, url in slack_file_refs(blocks, surface):
            f = self.files.get(fid or "")
            if url is not None or f is None or not f.completed or f.deleted or not f.mimetype.startswith("image/"):
                errs.append(f"[ERROR] invalid slack file [json-pointer:{base}{ptr}]")
            else:
                self.image_block_files.append(f.id)
        return errs

    def _find(self, channel: str, ts: str) -> dict | None:
        for m in self._messages.get(channel, []):
            if m["ts"] == ts:
                return m
        return None

    # -- methods -------------------------------------------------------------------------------------------------
    def _auth_test(self, params: dict) -> dict:
        return {"url": f"{self.root_url}", "team": "Stand-in", "user": "panelist", "team_id": self.team_id,
                "user_id": self.bot_user_id, "bot_id": self.bot_id, "is_enterprise_install": False}

    def _post_message(self, params: dict) -> dict:
        channel = self._channel(params)
        text, blocks = self._message_content(params)
        thread_ts = params.get("thread_ts")
        if thread_ts and not self._find(channel, thread_ts):
            raise _Refuse("thread_not_found")
        self._check_rate(channel)
        ts = self._next_ts(channel)
        msg = {"type": "message", "channel": channel, "ts": ts, "text": text or "", "blocks": blocks or [],
               "user": self.bot_user_id, "bot_id": self.bot_id, "thread_ts": thread_ts, "files": []}
        if params.get("metadata") is not None:
            msg["metadata"] = params["metadata"]
        self._messages.setdefault(channel, []).append(msg)
        return {"channel": channel, "ts": ts, "message": {k: v for k, v in msg.items() if k != "channel"}}

    def _post_ephemeral(self, params: dict) -> dict:
        channel = self._channel(params)
        self._require(params, "user")
        text, blocks = self._message_content(params)
        self._check_rate(channel)
        ts = self._next_ts(channel)
        self.ephemerals.setdefault(channel, []).append(
            {"ts": ts, "user": params["user"], "text": text or "", "blocks": blocks or []})
        return {"message_ts": ts}

    def _chat_update(self, params: dict) -> dict:
        channel = self._channel(params)
        self._require(params, "ts")
        msg = self._find(channel, params["ts"])
        if msg is None:
            raise _Refuse("message_not_found")
        text, blocks = self._message_content(params)
        msg["text"] = text or ""
        if "blocks" in params:
            msg["blocks"] = blocks or []
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts(channel)}
        return {"channel": channel, "ts": msg["ts"], "text": msg["text"],
                "message": {k: v for k, v in msg.items() if k != "channel"}}

    def _chat_delete(self, params: dict) -> dict:
        channel = self._channel(params)
        self._require(params, "ts")
        msg = self._find(channel, params["ts"])
        if msg is None:
            raise _Refuse("message_not_found")
        self._messages[channel].remove(msg)
        return {"channel": channel, "ts": msg["ts"]}

    def _conversations_open(self, params: dict) -> dict:
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if not users:
            raise _Refuse("users_list_not_supplied")
        for user in users:
            if self.users and user not in self.users:
                raise _Refuse("user_not_found")
        if len(users) > 1:  # a group DM
            key = ",".join(sorted(users))
            if key not in self.dm_channels:
                self.dm_channels[key] = self._id("G")
            return {"channel": {"id": self.dm_channels[key], "is_mpim": True}}
        user = users[0]
        if user not in self.dm_channels:
            self.dm_channels[user] = "D" + user.lstrip("UW")[:10].rjust(8, "0")
        return {"channel": {"id": self.dm_channels[user], "is_im": True, "user": user}}

    def _users_info(self, params: dict) -> dict:
        self._require(params, "user")
        u = self.users.get(params["user"])
        if u is None:
            raise _Refuse("user_not_found")
        user = {"id": u.id, "team_id": self.team_id, "name": u.name, "real_name": u.name, "tz": u.tz,
                "is_bot": u.is_bot, "deleted": False}
        # As Slack: locale only when asked for with include_locale=true.
        if str(params.get("include_locale", "")).lower() in ("true", "1"):
            user["locale"] = u.locale
        return {"user": user}

    def _take_trigger(self, params: dict) -> None:
        tid = params.get("trigger_id")
        if not tid:
            raise _Refuse("invalid_arguments", ["[ERROR] missing required field: trigger_id"])
        if tid in self._used_triggers:
            raise _Refuse("exchanged_trigger_id")
        issued = self._triggers.get(tid)
        if issued is None:
            raise _Refuse("invalid_trigger_id")
        if time.monotonic() - issued > self.trigger_ttl:
            raise _Refuse("expired_trigger_id")
        self._used_triggers.add(tid)
        del self._triggers[tid]

    def _checked_view(self, params: dict, kind: str) -> dict:
        view = params.get("view")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError:
                raise _Refuse("invalid_arguments", ["[ERROR] view is not valid JSON [json-pointer:/view]"])
        if not isinstance(view, dict):
            raise _Refuse("invalid_arguments", ["[ERROR] missing required field: view [json-pointer:/view]"])
        if view.get("type") != kind:
            raise _Refuse("invalid_arguments", [f"[ERROR] view type must be '{kind}' [json-pointer:/view/type]"])
        errs = validate_view(view) or self._check_files(view.get("blocks") or [], kind, "/view")
        if errs:
            raise _Refuse("invalid_arguments", errs)
        return view

    def _store_view(self, view: dict, view_id: str | None = None, **extra: Any) -> dict:
        vid = view_id or self._id("V")
        stored = {**view, "id": vid, "team_id": self.team_id, "hash": secrets.token_hex(8),
                  "state": {"values": {}}, "app_id": self.app_id, "bot_id": self.bot_id,
                  "private_metadata": view.get("private_metadata", ""), "callback_id": view.get("callback_id", ""),
                  **extra}
        self.views[vid] = stored
        return stored

    def _views_open(self, params: dict) -> dict:
        view = self._checked_view(params, "modal")
        self._take_trigger(params)
        return {"view": self._store_view(view, root_view_id=None)}

    def _views_push(self, params: dict) -> dict:
        view = self._checked_view(params, "modal")
        self._take_trigger(params)
        return {"view": self._store_view(view)}

    def _views_update(self, params: dict) -> dict:
        vid = params.get("view_id")
        ext = params.get("external_id")
        if not vid and not ext:
            raise _Refuse("invalid_arguments", ["[ERROR] view_id or external_id is required"])
        current = None
        if vid:
            current = self.views.get(vid)
        else:
            current = next((v for v in self.views.values() if v.get("external_id") == ext), None)
        if current is None:
            raise _Refuse("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            raise _Refuse("hash_conflict")
        view = self._checked_view(params, current["type"])
        return {"view": self._store_view(view, current["id"])}

    def update_by_ack(self, view_id: str, view: Any) -> dict | None:
        """A view submission answered `response_action: update`: Slack replaces the submitted modal with `view`,
        checked as `views.update` checks it (a refusal is recorded, and the modal stays as it was: None)."""
        current = self.views.get(view_id)
        if current is None:
            self.refusals.append(Refusal("view_submission:update", "not_found"))
            return None
        try:
            checked = self._checked_view({"view": view}, current["type"])
        except _Refuse as r:
            self.refusals.append(Refusal("view_submission:update", r.error, r.messages, r.status))
            return None
        return self._store_view(checked, view_id)

    def _views_publish(self, params: dict) -> dict:
        self._require(params, "user_id")
        view = self._checked_view(params, "home")
        user = params["user_id"]
        if self.users and user not in self.users:
            raise _Refuse("user_not_found")
        old = self.home_views.get(user)
        if params.get("hash") and old is not None and params["hash"] != old["hash"]:
            raise _Refuse("hash_conflict")
        stored = self._store_view(view, old["id"] if old else None)
        self.home_views[user] = stored
        return {"view": stored}

    def _get_upload_url(self, params: dict) -> dict:
        self._require(params, "filename", "length")
        try:
            length = int(params["length"])
        except (TypeError, ValueError):
            raise _Refuse("invalid_arguments", ["[ERROR] length must be an integer"])
        if length < 1:
            raise _Refuse("invalid_arguments", ["[ERROR] length must be at least 1"])
        if length > self.max_file_bytes:
            raise _Refuse("file_too_large")  # Slack's hosted files are at most 1 GB
        name = str(params["filename"])
        # STRICT: Slack cleans odd names itself; we refuse them, so the adapter must send a clean one.
        if _size(name) > 255 or name.strip() in ("", ".", "..") or BAD_FILENAME.search(name):
            raise _Refuse("invalid_arguments", [f"[ERROR] invalid filename {name!r} [json-pointer:/filename]"])
        alt = params.get("alt_txt")
        if alt is not None and _size(str(alt)) > 1000:
            raise _Refuse("invalid_arguments", ["[ERROR] alt_txt must be at most 1000 characters"])
        fid = self._id("F")
        self.files[fid] = StoredFile(id=fid, name=name, data=None, declared_length=length)
        return {"upload_url": f"{self.root_url}upload/v1/{fid}", "file_id": fid}

    def _complete_upload(self, params: dict) -> dict:
        raw = params.get("files")
        try:
            items = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise _Refuse("invalid_arguments", ["[ERROR] files is not valid JSON"])
        if not isinstance(items, list) or not items:
            raise _Refuse("invalid_arguments", ["[ERROR] missing required field: files"])
        channel = params.get("channel_id")
        channels = [c for c in str(params.get("channels") or "").split(",") if c]
        targets = ([channel] if channel else []) + channels
        for c in targets:
            self._channel({"channel": c})
        thread_ts = params.get("thread_ts")
        if thread_ts and len(targets) != 1:
            raise _Refuse("invalid_arguments", ["[ERROR] thread_ts needs exactly one channel"])
        if thread_ts and not self._find(targets[0], thread_ts):
            raise _Refuse("thread_not_found")
        out = []
        done: list[StoredFile] = []
        for it in items:
            f = self.files.get(it.get("id", "")) if isinstance(it, dict) else None
            if f is None or f.declared_length is None:
                raise _Refuse("file_not_found")
            if f.data is None:
                raise _Refuse("file_upload_not_found")  # step 2 never happened
            if f.completed:
                raise _Refuse("file_already_completed")
            f.title = it.get("title") or f.name
            done.append(f)
        for f in done:
            f.completed = True
            f.channels = targets
            f.initial_comment = params.get("initial_comment")
            f.thread_ts = params.get("thread_ts")
            # As Slack: processed after the answer, so the MIME type is not known yet here (files.info has it).
            out.append({**self._file_json(f), "mimetype": "", "filetype": ""})
        for c in targets:
            ts = self._next_ts(c)
            self._messages.setdefault(c, []).append(
                {"type": "message", "channel": c, "ts": ts, "text": params.get("initial_comment") or "",
                 "blocks": [], "user": self.bot_user_id, "bot_id": self.bot_id,
                 "thread_ts": params.get("thread_ts"), "files": [self._file_json(f) for f in done]})
        return {"files": out}

    def _file_json(self, f: StoredFile) -> dict:
        url = f"{self.root_url}files-pri/{self.team_id}-{f.id}/{f.name}"
        return {"id": f.id, "name": f.name, "title": f.title, "mimetype": f.mimetype,
                "size": len(f.data or b""), "url_private": url, "url_private_download": url + "?download=1",
                "channels": list(f.channels)}

    def _files_info(self, params: dict) -> dict:
        self._require(params, "file")
        f = self.files.get(params["file"])
        if f is None or not f.completed or f.deleted:
            raise _Refuse("file_not_found")
        return {"file": self._file_json(f)}

    def _files_delete(self, params: dict) -> dict:
        self._require(params, "file")
        f = self.files.get(params["file"])
        if f is None or f.deleted:
            raise _Refuse("file_not_found")
        f.deleted = True
        return {}

    # -- file transfer URLs --------------------------------------------------------------------------------------
    async def _upload(self, request: web.Request) -> web.Response:
        fid = request.match_info["file_id"]
        data = await request.read()
        call = Call("upload", {"file_id": fid, "bytes": len(data)}, None, dict(request.headers), "POST")
        self.calls.append(call)
        f = self.files.get(fid)
        if f is None or f.declared_length is None or f.completed:
            call.status = 404
            self.refusals.append(Refusal("upload", "upload_url_not_found", status=404))
            return web.Response(status=404, text="upload url not found", content_type="text/plain")
        if len(data) != f.declared_length:
            # STRICT: Slack rejects a body that does not match the declared length.
            call.status = 400
            self.refusals.append(Refusal("upload", "length_mismatch", status=400))
            return web.Response(status=400, text="length mismatch", content_type="text/plain")
        f.data = data
        f.mimetype = sniff_mime(data)
        self.bytes_uploaded += len(data)
        call.response = f"OK - {len(data)}"
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _download(self, request: web.Request) -> web.Response:
        team_file = request.match_info["team_file"]
        call = Call("download", {"path": request.path}, None, dict(request.headers), "GET")
        self.calls.append(call)
        header = request.headers.get("Authorization", "")
        token = header[len("Bearer "):].strip() if header.startswith("Bearer ") else None
        if token not in self.tokens:
            # STRICT: real Slack answers an HTML sign-in page; a 403 makes the mistake impossible to miss.
            call.status = 403
            self.refusals.append(Refusal("download", "not_authed", status=403))
            return web.Response(status=403, text="sign in required", content_type="text/html")
        fid = team_file.split("-", 1)[-1]
        f = self.files.get(fid)
        if f is None or f.data is None or f.name != request.match_info["name"]:
            call.status = 404
            self.refusals.append(Refusal("download", "file_not_found", status=404))
            return web.Response(status=404, text="not found", content_type="text/plain")
        return web.Response(body=f.data, content_type=f.mimetype)
