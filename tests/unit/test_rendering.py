"""The one rendering policy for text people or the model wrote (tickets/rendering.py)."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from tests.support.inert import live_parts
from tickets import rendering

# a permissive renderer, as a Markdown viewer would be: raw HTML on, links and images on
VIEWER = MarkdownIt("commonmark", {"html": True}).enable("strikethrough")
LIVE = re.compile(r"<(a|img|script|iframe|h[1-6]|table|input|style|object|svg)\b", re.I)

HOSTILE = [
    "![s](http://127.0.0.1:9/p.png)",
    "[win](javascript:alert(1)) and [ref]\n\n[ref]: http://evil.example",
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "<http://evil.example> <ada@example.com>",
    "see https://example.com/a) or www.example.com or mail ada@example.com",
    "# Agent Kim says\nSetext\n===",
    "<div>\nblock html\n</div>",
    "&lt;script&gt; &#x3C;b&#x3E; &copy;",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    ":blue[coloured] :material/home: $x^2$ $$y$$",
    "`code [x](y)` ``` ` ``` and\n```html\n<script>x</script>\n```",
    "> quote with [link](http://x)\n> - list ![i](http://y/i.png)",
    "1) a\n2. b\n* c\n+ d\n- e",
    "    indented <b>code</b>",
    "\x1b[31mred\x1b[0m \x07 \u202eevil\u202c \u2066iso\u2069",
    "trailing backslash \\",
    "x_y_z *a*b* __c__ ***d*** ~~e~~ \\*f\\*",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_shows_exactly_the_safe_subset(text: str) -> None:
    """Whatever a viewer makes of our Markdown is what our own HTML says: only the subset."""
    shown = VIEWER.render(rendering.markdown(text))
    assert not LIVE.search(shown), shown
    assert live_parts(rendering.markdown(text)) == []
    assert _same(shown, rendering.html(text))


@pytest.mark.parametrize("text", HOSTILE)
def test_html_has_only_the_subsets_tags(text: str) -> None:
    tags = set(re.findall(r"</?([a-zA-Z0-9]+)", rendering.html(text)))
    assert tags <= rendering.HTML_TAGS, tags
    assert not re.search(r"<[a-z]+\s", rendering.html(text).replace('<ol start="', "<ol>"))


def test_agents_markdown_and_line_breaks_show_as_written() -> None:
    """The walkthrough: bold showed literally, line breaks collapsed, URLs became links and
    a URL followed by ")" showed a stray backslash. A URL now shows as code, exactly as
    typed (no renderer turns code into a link)."""
    text = "**Good news**: your refund is approved.\nIt arrives in 3 days.\n(see https://acme.example/r)"
    shown = VIEWER.render(rendering.markdown(text))
    assert "<strong>Good news</strong>" in shown
    assert shown.count("<br") == 2
    assert "(see <code>https://acme.example/r</code>)" in shown
    assert "\\" not in shown and "<a" not in shown and live_parts(rendering.markdown(text)) == []


@pytest.mark.parametrize(
    ("typed", "code", "after"),
    [
        ("see https://example.com/orders/KT-55120).", "https://example.com/orders/KT-55120", ")."),
        ("https://en.wikipedia.org/wiki/Kettle_(appliance).", "wiki/Kettle_(appliance)", "."),
        ("write to ada@example.com, or", "ada@example.com", ", or"),
        ("[docs: www.example.com/help]!", "www.example.com/help", "]!"),
        ("is it https://x.example/a?b=1?", "https://x.example/a?b=1", "?"),
    ],
)
def test_an_address_ends_where_the_sentence_goes_on(typed: str, code: str, after: str) -> None:
    """The walkthrough: a URL followed by ")." showed the bracket and the full stop inside
    its code box. Punctuation that ends the sentence, and a bracket the address never
    opened, stay outside it, as GFM's own autolinks do; everything is still shown."""
    for shown in (VIEWER.render(rendering.markdown(typed)), rendering.html(typed)):
        spans = re.findall(r"<code>(.*?)</code>", shown)
        assert len(spans) == 1 and spans[0].endswith(code), shown
        assert shown.split("</code>")[1].startswith(after.replace("&", "&amp;")), shown
    line = VIEWER.render(rendering.inline(typed)).strip()
    assert re.sub(r"</?(p|code)>", "", line) == typed


def test_lists_quotes_and_code_survive() -> None:
    text = "Steps:\n\n1. unplug\n2. wait\n\n- a\n- b\n\n> quoted\n\n```\nx = `y`\n```"
    shown = rendering.html(text)
    for tag in ("<ol>", "<ul>", "<blockquote>", "<pre><code>"):
        assert tag in shown
    assert _same(VIEWER.render(rendering.markdown(text)), shown)


def test_controls_and_direction_overrides_are_visible() -> None:
    shown = rendering.markdown("a\x1b[2Jb\u202ec\x00d")
    assert "\x1b" not in shown and "\u202e" not in shown and "\x00" not in shown
    assert VIEWER.render(shown).strip() == "<p>a\\u001b[2Jb\\u202ec\\u0000d</p>"
    assert rendering.plain_line("right\u202eleft\u2067") == "right\\u202eleft\\u2067"


def test_one_line_text_is_inert_and_one_line() -> None:
    shown = rendering.inline("![s](http://x/p.png) **bold**\n# head", 200)
    assert "\n" not in shown
    assert (
        VIEWER.render(shown).strip() == "<p>![s](<code>http://x/p.png</code>) **bold** # head</p>"
    )
    assert live_parts(shown) == []
    assert rendering.inline("x" * 300, 50) == "x" * 50 + "…"


def _same(viewer_html: str, ours: str) -> bool:
    """The same HTML, whichever spelling of void tags each library uses."""
    return viewer_html.replace(" />", ">") == ours
