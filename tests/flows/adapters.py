"""The adapters every flow test runs on. Telegram and Slack harnesses register here when present."""
from __future__ import annotations

from tests.flows.console import ConsoleHarness

ADAPTERS: dict[str, type] = {"console": ConsoleHarness}

try:  # each platform harness lives beside its stand-in
    from tests.flows.telegram import TelegramHarness

    ADAPTERS["telegram"] = TelegramHarness
except ImportError:  # pragma: no cover - only while that adapter is being built
    pass
try:
    from tests.flows.slack import SlackDMHarness, SlackHarness

    ADAPTERS["slack"] = SlackHarness  # commands as slash commands: forms open as modals
    ADAPTERS["slack-dm"] = SlackDMHarness  # commands typed in the DM: forms walked step by step
except ImportError:  # pragma: no cover
    pass
