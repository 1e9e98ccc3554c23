"""The demo's projects whose items are not plain text (issue 20): charts to review, a code change to check, two
generated images to compare. Their media are drawn when the demo is seeded (matplotlib charts, Pillow pictures)
and put in a .zip with the task lines that name them, which is imported as a manager's upload is: the importer
checks each medium and stores it in the runtime's blob store, and a newcomer's console saves each one to a file
and shows the path.
"""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

# The off-by-one: the changed range stops one window early, so the last average is lost.
MOVING_AVERAGE_DIFF = '''--- a/metrics/smoothing.py
+++ b/metrics/smoothing.py
@@ -1,8 +1,8 @@
 def moving_average(values, window):
     """The mean of each run of `window` consecutive values, in order."""
     averages = []
-    for start in range(len(values) - window + 1):
+    for start in range(len(values) - window):
         chunk = values[start:start + window]
         averages.append(sum(chunk) / window)
     return averages
'''

CLAMP_PY = '''def clamp(value, low, high):
    """`value` limited to the closed interval [low, high]."""
    if low > high:
        raise ValueError("low must not exceed high")
    return max(low, min(value, high))
'''

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
USERS = [120, 135, 150, 149, 170, 185]  # thousands of monthly active users


SPECS = {
    "chart_review.yaml": """name: Product charts — do they tell the truth
domain: data_analysis
task_type: rating
instructions: |
  A model was asked to chart a small table of figures. Rate whether the chart shows the data faithfully
  (values, axis ranges, units, labels) and how readable it is. Name what misleads in the justification.
criteria:
  - id: faithful
    label: Faithful to the data
    description: Values, axis range, units and labels match the table in the prompt.
    scale: [1, 5]
  - id: readable
    label: Readability
    description: Title, labels and layout let a reader get the point at a glance.
    scale: [1, 5]
overlap: 2
gold_ratio: 0
lease_minutes: 30
pay: {kind: per_task, amount: "3.00", currency: EUR}
languages: [en]
""",
    "code_review.yaml": """name: Code review — Python changes with bugs
domain: software_engineering
task_type: error_check
instructions: |
  Check the code for bugs. Point at the line or lines (for example "lines 8-9", or "line 8: the exact
  passage"), pick a category and severity, and write the correction. If the code is right, say why.
overlap: 2
gold_ratio: 0
lease_minutes: 30
pay: {kind: per_task, amount: "5.00", currency: EUR}
languages: [en]
""",
    "image_pairwise.yaml": """name: Icon drafts — which image is better
domain: arts_design
task_type: pairwise
instructions: |
  Two images an image model drew for the same request. Choose the one that follows the request better,
  and say what each got right or wrong.
criteria:
  - id: follows_request
    label: Follows the request
    description: Everything the request asks for is there, and nothing contradicts it.
    scale: [1, 5]
overlap: 2
gold_ratio: 0
lease_minutes: 30
pay: {kind: per_task, amount: "2.00", currency: EUR}
languages: [en]
""",
}


def _png(figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=80)
    return out.getvalue()


def _chart(kind: str) -> bytes:
    """A chart of monthly active users; "good", "truncated" (a y axis that starts at 115k, so a 54% rise looks
    like a tenfold one) or "units" (the axis says millions where the data are thousands)."""
    from matplotlib.figure import Figure  # no pyplot: no global state, no display

    figure = Figure(figsize=(6, 3.5))
    axes = figure.subplots()
    axes.bar(MONTHS, USERS, color="#4C72B0")
    axes.set_title("Monthly active users, 2026")
    axes.set_ylabel("Users (millions)" if kind == "units" else "Users (thousands)")
    if kind == "truncated":
        axes.set_ylim(115, 190)
    else:
        axes.set_ylim(0, 200)
    figure.tight_layout()
    return _png(figure)


def _house(roof: str, chimney: bool, sun: bool) -> bytes:
    """A small drawn house: what an image model was asked for, in two versions to compare."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), "#BFE3F5")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 190, 320, 240), fill="#6BAF5B")
    draw.rectangle((90, 110, 230, 200), fill="#F2E3C6", outline="#5A4632", width=3)
    draw.polygon([(75, 115), (160, 45), (245, 115)], fill=roof, outline="#5A4632")
    draw.rectangle((145, 150, 175, 200), fill="#8B5A2B")
    if chimney:
        draw.rectangle((195, 55, 215, 95), fill="#9C3D2E", outline="#5A4632")
    if sun:
        draw.ellipse((20, 15, 70, 65), fill="#F7D046")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class _Media(dict):
    """The files of one task .zip, by path inside it."""

    def image(self, data: bytes, name: str) -> str:
        path = f"media/{name}"
        self[path] = data
        return path


def _attachment(path: str, alt: str) -> dict:
    return {"kind": "image", "alt": alt, "path": path}


def _chart_review(media: _Media) -> list[dict]:
    prompt = ("Chart the monthly active users for January to June 2026 (thousands): "
              + ", ".join(f"{m} {u}" for m, u in zip(MONTHS, USERS)) + ".")
    items = []
    for n, (kind, alt) in enumerate([
        ("good", "Bar chart of monthly active users, y axis from 0 to 200 thousand"),
        ("truncated", "Bar chart of monthly active users, y axis from 115 to 190 thousand"),
        ("units", "Bar chart of monthly active users, y axis labelled in millions"),
    ], start=1):
        path = media.image(_chart(kind), f"users-chart-{kind}.png")
        items.append({"external_id": f"chart-{n:03d}", "prompt": prompt,
                      "responses": [{"id": "chart", "attachments": [_attachment(path, alt)]}],
                      "metadata": {"flaw": kind}})
    return items


def _code_review(media: _Media) -> list[dict]:
    return [
        {"external_id": "code-001",
         "prompt": "Review this change to moving_average: the caller wants every full window averaged.",
         "responses": [{"id": "patch", "format": "code", "language": "diff", "text": MOVING_AVERAGE_DIFF}]},
        {"external_id": "code-002", "prompt": "Review this helper: it clamps a value to a closed interval.",
         "responses": [{"id": "code", "format": "code", "language": "python", "text": CLAMP_PY}]},
    ]


def _image_pairwise(media: _Media) -> list[dict]:
    prompt = "Draw a simple icon of a house with a red roof and a chimney, on a sunny day."
    a = media.image(_house("#C0392B", chimney=True, sun=True), "house-red-roof.png")
    b = media.image(_house("#2E6DB4", chimney=False, sun=True), "house-blue-roof.png")
    c = media.image(_house("#C0392B", chimney=False, sun=False), "house-no-sun.png")
    return [
        {"external_id": "house-001", "prompt": prompt, "responses": [
            {"id": "a", "attachments": [_attachment(a, "A house with a red roof, a chimney and a sun")]},
            {"id": "b", "attachments": [_attachment(b, "A house with a blue roof, no chimney, and a sun")]}]},
        {"external_id": "house-002", "prompt": prompt, "responses": [
            {"id": "a", "attachments": [_attachment(c, "A house with a red roof, no chimney and no sun")]},
            {"id": "b", "attachments": [_attachment(a, "A house with a red roof, a chimney and a sun")]}]},
    ]


# spec file name → what draws and stores its items
ITEMS: dict[str, Callable] = {
    "chart_review.yaml": _chart_review,
    "code_review.yaml": _code_review,
    "image_pairwise.yaml": _image_pairwise,
}


def media_task_zip(spec_file: str) -> bytes:
    """The task upload of a media project: a .zip of its JSON lines and the media they name, drawn now."""
    media = _Media()
    items = ITEMS[spec_file](media)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("tasks.jsonl", "\n".join(json.dumps(item) for item in items))
        for path, data in media.items():
            bundle.writestr(path, data)
    return out.getvalue()
