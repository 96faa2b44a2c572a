from datetime import datetime

from claims.extraction import ArticleContent, parse_html

HTML = """<!doctype html><html lang="en"><head>
<title>Militants gather on border | Example News</title>
<meta property="og:site_name" content="Example News">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2015-10-08T10:00:00+00:00">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Militants gather on border</h1>
<p>Zamir Kabulov, the Russian presidential envoy to Afghanistan, said the number of militants in
Afghanistan who had pledged allegiance to Daesh stood at 3,500.</p>
<p>The officials made the remarks during a security conference in Moscow on Thursday, and they
repeated them at a press briefing later in the day.</p>
<p>Taliban groups which had refused to join Daesh were targeted by airstrikes, Kabulov added.</p>
</article><footer>Share this article. Subscribe to our newsletter.</footer>
</body></html>"""


def test_parse_html_main_text_and_metadata():
    content = parse_html(HTML, url="https://news.example.org/world/militants")
    assert isinstance(content, ArticleContent)
    assert "stood at 3,500" in content.text
    assert "Subscribe to our newsletter" not in content.text
    assert content.title.startswith("Militants gather on border")
    assert content.author == "Jane Reporter"
    assert content.publisher == "Example News"
    assert isinstance(content.published_at, datetime)
    assert content.published_at.date().isoformat() == "2015-10-08"
    assert content.published_at.tzinfo is not None
    assert content.language == "en"


def test_parse_html_garbage():
    content = parse_html("<html><body></body></html>")
    assert content.text == "" and content.published_at is None


def test_article_content_from_text_alone():
    content = ArticleContent(text="Plain text.")
    assert (content.title, content.published_at, content.language) == ("", None, "en")


def test_page_with_only_navigation_has_no_text():
    assert parse_html("<html><body><nav>Home</nav></body></html>").text == ""
    assert parse_html("").text == ""
