"""Stable pseudonymous expert ids for exports and reviewers: the same person always maps to the same id,
and the id cannot be turned back into a person without the server secret."""
from __future__ import annotations

import hashlib
import hmac


def pseudonym(secret: bytes, person_id: int) -> str:
    digest = hmac.new(secret, f"person:{person_id}".encode(), hashlib.sha256).hexdigest()
    return "E-" + digest[:10]
