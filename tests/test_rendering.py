"""The finishing of a rendered report: house style, contents after the summary, numbered captions."""

from __future__ import annotations

from communitylab import rendering

PAGE = """<html><head><title>x</title></head><body><main>
<div class="jp-Cell jp-MarkdownCell"><h1 id="Title">Title</h1></div>
<div class="jp-Cell jp-CodeCell"><h2 id="Summary">Summary<a class="anchor-link" href="#Summary">¶</a></h2><p>answer</p></div>
<div class="jp-Cell jp-MarkdownCell"><h2 id="The-verdict">The verdict<a class="anchor-link" href="#The-verdict">¶</a></h2></div>
<div class="jp-Cell jp-CodeCell"><img src="data:image/png;base64,AAAA"><p class="cl-caption">What it shows</p></div>
<div class="jp-Cell jp-MarkdownCell"><h2>Who talks to &amp; whom</h2></div>
</main></body></html>"""


def test_contents_follow_the_summary_and_link_every_section():
    html = rendering.finish(PAGE)
    nav = html.index('<nav class="cl-toc"')
    assert html.index(">Summary<") < nav < html.index('id="The-verdict"')
    assert '<a href="#The-verdict">The verdict</a>' in html
    assert '<a href="#Who-talks-to-whom">Who talks to &amp; whom</a>' in html  # an id was given to the heading without one
    assert '<h2 id="Who-talks-to-whom">' in html
    assert ">Summary</a>" not in html  # the summary is not listed: the contents follow it
    assert rendering.headings(html)[0] == ("Summary", "Summary")


def test_house_style_numbers_the_captions():
    html = rendering.finish(PAGE)
    assert 'id="communitylab-style"' in html and 'content: "Figure " counter(figure)' in html
    assert html.index('id="communitylab-style"') < html.index("</head>")


def test_a_page_with_one_section_gets_no_contents():
    page = '<html><head></head><body><div class="jp-Cell"><h2 id="Summary">Summary</h2></div></body></html>'
    assert "cl-toc" not in rendering.finish(page).split("</style>")[-1]


def test_figures_get_their_caption_as_alternative_text():
    page = PAGE.replace('<img src="data:image/png;base64,AAAA">',
                        '<img alt="No description has been provided for this image" src="data:image/png;base64,AAAA"/>')
    html = rendering.finish(page)
    assert 'alt="What it shows"' in html and "No description" not in html
