"""Chart images for chat replies: matplotlib's Agg canvas → PNG bytes, rendered off the event loop.

Drawing a chart takes tens of milliseconds (the first one, with matplotlib's import and font cache, far more),
so handlers never call the renderers directly: they `await answers_per_day_chart(...)`, which runs the drawing
in a worker thread via `asyncio.to_thread`. Only the object-oriented API is used (a `Figure` on its own
`FigureCanvasAgg`), never `pyplot`: no global figure state, so two charts drawn at once in two threads do not
touch each other, and no GUI backend is ever selected. Every text on the chart is passed in already localized.
"""
from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Sequence

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDTH_IN, HEIGHT_IN, DPI = 6.4, 3.2, 100  # 640 × 320 pixels: readable in a chat, small to send
BAR_COLOR = "#3b6ea5"

Renderer = Callable[[Sequence[str], Sequence[int], str, str, Sequence[str]], bytes]


def render_answers_per_day(labels: Sequence[str], counts: Sequence[int], title: str, ylabel: str,
                           value_labels: Sequence[str] = ()) -> bytes:
    """A bar chart of answers per day as PNG bytes. Blocking: call through `answers_per_day_chart`.

    `labels` name the days, `value_labels` (optional) are written above the bars: both already localized."""
    if len(labels) != len(counts):
        raise ValueError("one label per count")
    shown = list(value_labels) if value_labels else [str(c) if c else "" for c in counts]
    if len(shown) != len(counts):
        raise ValueError("one value label per count")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    positions = list(range(len(counts)))
    bars = ax.bar(positions, list(counts), color=BAR_COLOR, width=0.7)
    ax.set_xticks(positions, list(labels), fontsize=8, rotation=45, ha="right")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([*counts, 1]) * 1.18)
    ax.bar_label(bars, labels=shown, fontsize=7, padding=2)
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel, fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    fig.subplots_adjust(left=0.09, right=0.98, top=0.88, bottom=0.2)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


async def answers_per_day_chart(labels: Sequence[str], counts: Sequence[int], title: str, ylabel: str, *,
                                value_labels: Sequence[str] = (),
                                render: Renderer = render_answers_per_day) -> bytes:
    """Render the chart in a worker thread so the event loop keeps serving other people meanwhile.

    `render` is the blocking renderer; tests pass a wrapper around the real one to see which thread ran it."""
    return await asyncio.to_thread(render, list(labels), list(counts), title, ylabel, list(value_labels))
