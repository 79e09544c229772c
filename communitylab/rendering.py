"""The finishing touches of a rendered report: house style, a table of contents, numbered captions.

:func:`finish` works on the HTML nbconvert writes from an executed study. The contents list every
second-level heading and sits after the report's opening summary; captions written by
:func:`communitylab.report.caption` are numbered "Figure 1.", "Figure 2.", ... by CSS and are the
figures' alternative text.
"""

from __future__ import annotations

import html as html_lib
import re

__all__ = ["STYLE", "finish", "headings"]

STYLE = """<style id="communitylab-style">
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
.jp-Notebook { max-width: 1100px; margin: 0 auto; counter-reset: figure; }
.cl-caption { font-size: 0.9em; color: #444; margin: 0.2em 0 1.6em 0; max-width: 760px; }
.cl-caption::before { counter-increment: figure; content: "Figure " counter(figure) ". "; font-weight: bold; }
nav.cl-toc { border-left: 3px solid #0072B2; padding: 0.4em 1em; margin: 1.2em 0 2em 0; background: #f6f8fa; max-width: 760px; }
nav.cl-toc ol { margin: 0.3em 0 0 1.2em; padding: 0; }
nav.cl-toc a { text-decoration: none; color: #0b4f7c; }
@media print {
  nav.cl-toc { break-after: avoid; break-inside: avoid; } .jp-Cell { break-inside: avoid; }
  .jp-MarkdownCell { break-after: avoid; page-break-after: avoid; }  /* a section's heading and text stay with what follows */
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; break-inside: avoid; }
  .cl-caption, table, img { break-inside: avoid; }
  .jp-OutputArea-output, .jp-RenderedHTMLCommon, .jp-RenderedHTML { overflow: visible !important; }
  .jp-Notebook { max-width: none; }
  table { max-width: 100% !important; width: auto !important; font-size: 9pt !important; }
  img { max-width: 100% !important; height: auto !important; }
}
</style>
"""

_H2 = re.compile(r"<h2(?P<attrs>[^>]*)>(?P<body>.*?)</h2>", re.S)


def _text(body: str) -> str:
    body = re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', "", body, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", body)).strip()


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w-]+", "-", text).strip("-") or "section"
    slug, i = base, 1
    while slug in taken:
        i += 1
        slug = f"{base}-{i}"
    taken.add(slug)
    return slug


_IMG = re.compile(r'<img\b[^>]*?\balt="No description has been provided for this image"[^>]*>')
_CAPTION = re.compile(r'<p class="cl-caption">(.*?)</p>', re.S)


def _alt_from_captions(html: str) -> str:
    """Each figure's alternative text (for screen readers) is the caption written under it."""
    out, pos = [], 0
    for m in _IMG.finditer(html):
        caption = _CAPTION.search(html, m.end())
        text = html_lib.escape(_text(caption.group(1)), quote=True) if caption else "A figure"
        out.append(html[pos:m.start()])
        out.append(m.group(0).replace('alt="No description has been provided for this image"', f'alt="{text}"'))
        pos = m.end()
    out.append(html[pos:])
    return "".join(out)


def headings(html: str) -> list[tuple[str, str]]:
    """(id, text) of every second-level heading, in order."""
    out = []
    for m in _H2.finditer(html):
        ident = re.search(r'\bid="([^"]+)"', m.group("attrs"))
        out.append((ident.group(1) if ident else "", _text(m.group("body"))))
    return out


def finish(html: str) -> str:
    """Add the house style, ids on headings that lack one, and the contents after the summary."""
    taken = set(re.findall(r'\bid="([^"]+)"', html))
    entries: list[tuple[str, str]] = []

    def give_id(m: re.Match) -> str:
        attrs, body = m.group("attrs"), m.group("body")
        ident = re.search(r'\bid="([^"]+)"', attrs)
        if ident:
            key = ident.group(1)
        else:
            key = _slug(_text(body), taken)
            attrs = f' id="{key}"{attrs}'
        entries.append((key, _text(body)))
        return f"<h2{attrs}>{body}</h2>"

    html = _H2.sub(give_id, html)
    html = _alt_from_captions(html)
    html = html.replace("</head>", STYLE + "</head>", 1)
    sections = [(k, t) for k, t in entries if t.lower() != "summary"]
    if len(sections) < 2:
        return html
    items = "".join(f'<li><a href="#{html_lib.escape(k)}">{html_lib.escape(t)}</a></li>' for k, t in sections)
    nav = f'<nav class="cl-toc" aria-label="Contents"><strong>Contents</strong><ol>{items}</ol></nav>'
    first = sections[0][0]
    # the contents go before the cell that holds the first section after the summary
    at = html.find(f'id="{first}"')
    cells = [m.start() for m in re.finditer(r'<div\b[^>]*\bclass="jp-Cell\b[^"-][^"]*"', html[:at])]
    cell = cells[-1] if cells else html.rfind("<h2", 0, at)
    return html[:cell] + nav + html[cell:]
