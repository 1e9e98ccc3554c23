"""(being written)"""
from __future__ import annotations

from bot.core.router import Router

router = Router("matching")
