"""The small earnings chart in `/earnings`: earned per week for the last weeks, one bar series per currency.

Drawn like `handlers.shared.charts`: matplotlib's object API on an Agg canvas, never pyplot, called through
`asyncio.to_thread` so the event loop never waits on drawing. Amounts arrive as integer minor units and are
turned into major units only for the bar heights (a picture, not money: nothing is summed from it). Every text
is passed in already localized; currencies are separate series, never stacked or added.
"""
from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence

from babel.numbers import get_currency_precision

from handlers.shared.charts import PNG_SIGNATURE

WIDTH_IN, HEIGHT_IN, DPI = 6.4, 3.2, 100
COLORS = ("#3b6ea5", "#d9822b", "#4f9d69", "#a54f8f", "#777777")

__all__ = ["render_weekly_earnings", "weekly_earnings_chart", "PNG_SIGNATURE"]


def render_weekly_earnings(labels: Sequence[str], series: dict[str, Sequence[int]], title: str) -> bytes:
    """PNG bytes; blocking — call `weekly_earnings_chart` from async code."""
    for values in series.values():
        if len(values) != len(labels):
            raise ValueError("one value per week label")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    count = max(1, len(series))
    width = 0.8 / count
    for i, (currency, values) in enumerate(sorted(series.items())):
        scale = 10 ** get_currency_precision(currency)
        positions = [x + (i - (count - 1) / 2) * width for x in range(len(labels))]
        ax.bar(positions, [v / scale for v in values], width=width, label=currency, color=COLORS[i % len(COLORS)])
    ax.set_xticks(list(range(len(labels))))
    ax.set_xticklabels(list(labels), fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.axhline(0, color="#999999", linewidth=0.6)
    if series:
        ax.legend(fontsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


async def weekly_earnings_chart(labels: Sequence[str], series: dict[str, Sequence[int]], title: str) -> bytes:
    return await asyncio.to_thread(render_weekly_earnings, list(labels), {k: list(v) for k, v in series.items()}, title)
