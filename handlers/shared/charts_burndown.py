"""The burn-down chart in /progress: items left at the end of each day, and the straight line of the pace needed
to finish by the deadline (from today's items left down to zero on the deadline's day).

Drawn like `handlers.shared.charts`: matplotlib's object API on an Agg canvas, never pyplot, called through
`asyncio.to_thread` so the event loop never waits on drawing. Every text is passed in already localized.
"""
from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence

from handlers.shared.charts import PNG_SIGNATURE

WIDTH_IN, HEIGHT_IN, DPI = 6.4, 3.2, 100
LEFT_COLOR, NEEDED_COLOR = "#3b6ea5", "#d9822b"
MAX_TICKS = 16  # more day labels than this are thinned to every other one

__all__ = ["render_burn_down", "burn_down_chart", "PNG_SIGNATURE"]


def render_burn_down(labels: Sequence[str], remaining: Sequence[int], needed: Sequence[tuple[int, float]],
                     title: str, ylabel: str, legend: tuple[str, str]) -> bytes:
    """PNG bytes; blocking — call `burn_down_chart` from async code.

    `labels` name the days at positions 0, 1, …; `remaining[i]` is the items left at the end of day i; `needed` is
    the needed-pace line as (position, items) points (empty: no deadline to pace against)."""
    if len(remaining) > len(labels) or any(x >= len(labels) for x, _ in needed):
        raise ValueError("one label per day shown")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(range(len(remaining)), list(remaining), color=LEFT_COLOR, marker="o", markersize=3, label=legend[0])
    if needed:
        ax.plot([x for x, _ in needed], [y for _, y in needed], color=NEEDED_COLOR, linestyle="--", label=legend[1])
    step = 2 if len(labels) > MAX_TICKS else 1
    positions = list(range(len(labels)))[::-1][::step][::-1]  # thinned from today backwards: today keeps its label
    ax.set_xticks(positions, [labels[i] for i in positions], fontsize=8, rotation=45, ha="right")
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([*remaining, *(y for _, y in needed), 1]) * 1.15)
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.legend(fontsize=8, loc="upper right")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    fig.subplots_adjust(left=0.09, right=0.98, top=0.88, bottom=0.2)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


async def burn_down_chart(labels: Sequence[str], remaining: Sequence[int], needed: Sequence[tuple[int, float]],
                          title: str, ylabel: str, legend: tuple[str, str]) -> bytes:
    return await asyncio.to_thread(render_burn_down, list(labels), list(remaining), list(needed), title, ylabel,
                                   legend)
