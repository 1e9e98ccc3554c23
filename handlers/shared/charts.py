"""Chart images for chat replies: matplotlib's Agg canvas → PNG bytes, rendered off the event loop. The one chart
here is /progress's burn-down: items left at the end of each day, and the straight line of the pace needed to
finish by the deadline (from today's items left down to zero on the deadline's day).

Drawing a chart takes tens of milliseconds (the first one, with matplotlib's import and font cache, far more),
so handlers never call the renderers directly: they `await burn_down_chart(...)`, which runs the drawing
in a worker thread via `asyncio.to_thread`. Only the object-oriented API is used (a `Figure` on its own
`FigureCanvasAgg`), never `pyplot`: no global figure state, so two charts drawn at once in two threads do not
touch each other, and no GUI backend is ever selected. Every text on the chart is passed in already localized.
"""
from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Sequence

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDTH_IN, HEIGHT_IN, DPI = 6.4, 3.2, 100
LEFT_COLOR, NEEDED_COLOR = "#3b6ea5", "#d9822b"
MAX_TICKS = 16  # more day labels than this are thinned to every other one

Renderer = Callable[[Sequence[str], Sequence[int], Sequence[tuple[int, float]], str, str, tuple[str, str]], bytes]


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
                          title: str, ylabel: str, legend: tuple[str, str], *,
                          render: Renderer = render_burn_down) -> bytes:
    """Render the chart in a worker thread so the event loop keeps serving other people meanwhile.

    `render` is the blocking renderer; tests pass a wrapper around the real one to see which thread ran it."""
    return await asyncio.to_thread(render, list(labels), list(remaining), list(needed), title, ylabel, legend)
