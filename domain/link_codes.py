"""One-time codes that join a second platform identity to a person."""
from __future__ import annotations

import secrets
from datetime import timedelta

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: people read these aloud and retype them
LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str | None:
    code = text.strip().upper().replace("-", "").replace(" ", "")
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


# Failed codes a person may type in one window before /link refuses until the window ends.
FAILURE_LIMIT = 5
FAILURE_WINDOW = timedelta(hours=1)
