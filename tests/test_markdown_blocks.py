"""Markdown responses as reply blocks: styles, lists, quotes and fenced code become our blocks; markup a person
could type stays text (every renderer escapes it), and hostile input is cheap and changes nothing else."""
from __future__ import annotations

from bot.core.blocks import Code, Paragraph
from handlers.shared.markdown_blocks import markdown_blocks

SOURCE = """# Verdict

The dose is **wrong**: *halve it* and check `eGFR` ([guideline](https://example.org/g), [label](https://x.y/z)).

- first point
- second **point**

3. three
4. four

> a quote with <b>html</b>

```python
for i in range(10):
    print(i)
```
"""


def styled(block: Paragraph) -> list[tuple[str, str]]:
    return [(s.text, s.style) for s in block.spans]


def test_markdown_becomes_paragraphs_and_code():
    blocks = markdown_blocks(SOURCE)
    assert styled(blocks[0]) == [("Verdict", "bold")]
    assert ("wrong", "bold") in styled(blocks[1]) and ("halve it", "italic") in styled(blocks[1])
    assert ("eGFR", "code") in styled(blocks[1])
    said = "".join(text for text, _ in styled(blocks[1]))
    assert "guideline (https://example.org/g)" in said and "label (https://x.y/z)" in said
    assert [("".join(t for t, _ in styled(b))) for b in blocks[2:6]] == [
        "• first point", "• second point", "3. three", "4. four"]
    assert "".join(t for t, _ in styled(blocks[6])) == "│ a quote with <b>html</b>"  # text, not markup
    code = blocks[7]
    assert isinstance(code, Code) and code.language == "python" and code.filename == "snippet.py"
    assert code.text == "for i in range(10):\n    print(i)"  # indentation kept


def test_hostile_and_empty_markdown():
    assert markdown_blocks("") == []
    deep = markdown_blocks(">" * 5000 + " x")  # nested past the parser's limit: shown as written, not dropped
    assert len(deep) == 1 and deep[0].spans[-1].text.endswith(" x")
    stars = markdown_blocks("*" * 20000)
    assert all(isinstance(b, Paragraph) for b in stars)
    assert markdown_blocks("<script>alert(1)</script>")[0].spans[0].text == "<script>alert(1)</script>"


def test_a_markdown_response_is_shown_formatted_and_a_modal_keeps_it_whole():
    from bot.core.blocks import LongText
    from domain.task_import import TaskItem
    from handlers.shared.task_render import item_blocks

    item = TaskItem(external_id="m", prompt="Explain the dose.",
                    responses=[{"id": "a", "text": "Use **half** the dose.", "format": "markdown"}])
    shown = item_blocks(item)
    assert any(isinstance(b, Paragraph) and ("half", "bold") in styled(b) for b in shown)
    assert not any(isinstance(b, LongText) and "**half**" in b.text for b in shown)
    long = item.model_copy(update={"responses": [item.responses[0].model_copy(update={"text": "x " * 4000})]})
    assert any(isinstance(b, LongText) for b in item_blocks(long))  # too long to show formatted: as text or file
