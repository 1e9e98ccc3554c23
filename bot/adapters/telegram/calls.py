"""`TgCall`: one Bot API call as data, so renderers build calls and the adapter (or a test) runs them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

PARSE_MODE = "HTML"


@dataclass
class TgCall:
    """One Bot API call: `method` as Telegram names it, `kwargs` as PTB's method takes them."""

    method: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def ptb_name(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.method).lower()
