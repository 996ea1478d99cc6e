"""The one way text that people or the model wrote is shown: in the app and in every export.

The policy. A message body (a customer's, an agent's, the assistant's, a note) is read as a
small, safe Markdown subset: emphasis, strong, strikethrough, inline code, code blocks, lists,
block quotes and rules, with line breaks kept as written. Nothing else is interpreted: no
links (``[x](url)`` and ``<url>`` stay text; a bare URL, ``www.`` name or e-mail address is
shown as code, which no renderer turns into a link), no images, no raw HTML, no headings, no
entities, no Streamlit extras (colours, icons, LaTeX). Subjects, names, labels and error
messages are one line of plain text under the same rules. Control, escape and
direction-override characters are shown as ``\\uXXXX`` instead of acting on the display.

Each body is parsed once by ``markdown-it-py`` (with only the subset's rules enabled) and
written out again by this module:

- :func:`markdown` as Markdown in which every character of the text is escaped and only the
  subset's own markers are live, so any Markdown renderer (Streamlit, GitHub, an editor)
  shows exactly the subset;
- :func:`html` as an HTML fragment, cleaned again by ``nh3`` with an allow-list of tags and
  no attributes or URLs;
- :func:`inline` / :func:`plain_line` for one line of plain text (escaped for Markdown).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from tickets.text import preview

# characters that act on a display: C0/C1 controls (not tab or line feed) and the direction
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069)
_ACTIVE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# every ASCII character that can start or end Markdown, GFM or Streamlit syntax: with these
# escaped, no link, autolink, image, HTML, heading, list, table, directive or math can form
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:@&=])")
_BACKTICKS = re.compile(r"`+")
# what GFM (and Streamlit's Markdown) would turn into a link even when every character is
# escaped: a URL, a www. name, an e-mail address. Shown as code instead.
_ADDRESS = re.compile(
    r"(?:(?:https?|ftp|mailto|xmpp):/*|www\.)\S*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE
)
# what ends a sentence around an address rather than the address (as GFM's autolinks do):
# "see https://example.com/a)." shows the URL as code and ")." as text after it
_TRAILING = ".,;:!?'\"*_~"
_CLOSERS = {")": "(", "]": "["}
HTML_TAGS = frozenset(
    {"p", "br", "strong", "em", "s", "code", "pre", "ul", "ol", "li", "blockquote", "hr"}
)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    md.enable("strikethrough")
    md.disable(
        [
            "link",
            "image",
            "autolink",
            "html_inline",
            "html_block",
            "heading",
            "lheading",
            "reference",
            "entity",
        ]
    )
    return md


_MD = _parser()


def visible(text: str) -> str:
    """Line ends normalized; control, escape and direction characters shown as ``\\uXXXX``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ACTIVE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def escape(text: str) -> str:
    """Text that Markdown shows as is: every special character backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def plain_line(text: str, max_chars: int | None = None) -> str:
    """One line of plain text: whitespace runs (line breaks too) become one space."""
    line = " ".join(visible(text).split())
    return preview(line, max_chars) if max_chars else line


def addresses(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds a URL, ``www.`` name or e-mail address: (start, end) pairs, with
    punctuation that ends the sentence (and a closing bracket it never opened) left out."""
    spans = []
    for found in _ADDRESS.finditer(text):
        end = found.end()
        while end > found.start():
            last, body = text[end - 1], text[found.start() : end - 1]
            opener = _CLOSERS.get(last)
            if last in _TRAILING or (opener and body.count(opener) < body.count(last) + 1):
                end -= 1
                continue
            break
        if end > found.start():
            spans.append((found.start(), end))
    return spans


def inline(text: str, max_chars: int | None = None) -> str:
    """One line of plain text as Markdown (subjects, names, labels, error messages)."""
    line, out, at = plain_line(text, max_chars), [], 0
    for start, end in addresses(line):
        out += [escape(line[at:start]), _code_span(line[start:end])]
        at = end
    return "".join([*out, escape(line[at:])])


def markdown(text: str) -> str:
    """A message body as Markdown that shows exactly the safe subset."""
    root = SyntaxTreeNode(_parse(text))
    return "\n".join(_blocks(root.children, loose=True))


def html(text: str) -> str:
    """A message body as an HTML fragment with only the subset's tags."""
    rendered = _MD.renderer.render(_parse(text), _MD.options, {})
    return nh3.clean(
        rendered,
        tags=set(HTML_TAGS),
        attributes={"ol": {"start"}},
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
    )


def _parse(text: str) -> list[Token]:
    tokens = _MD.parse(visible(text))
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = [part for child in token.children for part in _addresses(child)]
    return tokens


def _addresses(token: Token) -> list[Token]:
    """A text token with its URLs, www. names and e-mail addresses split out as code."""
    spans = addresses(token.content) if token.type == "text" else []
    if not spans:
        return [token]
    parts: list[Token] = []
    at = 0
    for start, end in spans:
        if start > at:
            parts.append(_token("text", token.content[at:start]))
        parts.append(_token("code_inline", token.content[start:end], markup="`"))
        at = end
    if at < len(token.content):
        parts.append(_token("text", token.content[at:]))
    return parts


def _token(kind: str, content: str, markup: str = "") -> Token:
    token = Token(kind, "code" if kind == "code_inline" else "", 0)
    token.content, token.markup = content, markup
    return token


# -- writing the parsed subset back out as Markdown -------------------------------------------


def _blocks(nodes: Sequence[SyntaxTreeNode], *, loose: bool) -> list[str]:
    lines: list[str] = []
    for i, node in enumerate(nodes):
        if i and loose:
            lines.append("")
        lines += _block(node)
    return lines


def _block(node: SyntaxTreeNode) -> list[str]:
    kind = node.type
    if kind == "paragraph":
        return _inline(node.children[0].children if node.children else []).split("\n")
    if kind in ("bullet_list", "ordered_list"):
        return _list(node)
    if kind == "blockquote":
        return [f"> {line}" if line else ">" for line in _blocks(node.children, loose=True)]
    if kind in ("fence", "code_block"):
        longest = max((len(run) for run in _BACKTICKS.findall(node.content)), default=0)
        fence = "`" * max(3, longest + 1)
        return [fence, *node.content.rstrip("\n").split("\n"), fence]
    if kind == "hr":
        return ["***"]
    return escape(node.content).split("\n")  # nothing else is enabled; shown as text


def _list(node: SyntaxTreeNode) -> list[str]:
    ordered = node.type == "ordered_list"
    start = int(str(node.attrs.get("start", 1))) if ordered else 1
    items = node.children
    loose = any(
        child.type == "paragraph" and not child.hidden for item in items for child in item.children
    )
    lines: list[str] = []
    for n, item in enumerate(items):
        if n and loose:
            lines.append("")
        mark = item.markup or ("." if ordered else "-")  # the original marker: two lists
        marker = f"{start + n}{mark}" if ordered else mark  # written apart stay apart
        body = _blocks(item.children, loose=loose) or [""]
        pad = " " * (len(marker) + 1)
        lines.append(f"{marker} {body[0]}".rstrip())
        lines += [pad + line if line else "" for line in body[1:]]
    return lines


def _inline(nodes: Sequence[SyntaxTreeNode]) -> str:
    out: list[str] = []
    for node in nodes:
        kind = node.type
        if kind in ("softbreak", "hardbreak"):
            out.append("\\\n")  # a hard break: line breaks show as written
        elif kind == "code_inline":
            out.append(_code_span(node.content))
        elif kind in ("strong", "em", "s"):
            mark = node.markup or ("~~" if kind == "s" else "*")
            out.append(mark + _inline(node.children) + mark)
        else:
            out.append(escape(node.content))
    return "".join(out)


def _code_span(content: str) -> str:
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    ticks = "`" * (longest + 1)
    return f"{ticks} {content} {ticks}"  # one space each side is stripped when rendered
