"""Feed reader: RSS 0.9x/1.0/2.0, Atom and JSON Feed entries become records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleanfeed.article import RawRecord, Reject
from cleanfeed.readers import read
from cleanfeed.readers.feeds import (
    HostileXML,
    feedparser_backend,
    html_to_text,
    records_from_feed,
    screen_xml,
)

RSS2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Example Gazette</title><link>https://gazette.example/</link>
<language>en-gb</language><description>News</description>
<item>
  <title>Bridge reopens after repairs</title>
  <link>https://gazette.example/bridge</link>
  <guid isPermaLink="false">gz-101</guid>
  <pubDate>Tue, 03 Mar 2026 09:15:00 +0100</pubDate>
  <dc:creator>Ana Ruiz</dc:creator>
  <description>Short teaser.</description>
  <content:encoded><![CDATA[<p>The old bridge reopened on Monday.</p><p>Traffic was light.</p>
  <script>track()</script>]]></content:encoded>
</item>
<item>
  <title>Summary only</title>
  <link>https://gazette.example/summary</link>
  <description>Only a &lt;b&gt;summary&lt;/b&gt; here.</description>
</item>
<item><title>Nothing at all</title><link>https://gazette.example/empty</link></item>
</channel></rss>"""

RSS091 = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>http://old.example/</link>
<description>d</description><language>en</language>
<item><title>Old story</title><link>http://old.example/1</link>
<description>Plain description of the old story.</description></item>
</channel></rss>"""

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://rdf.example/"><title>RDF site</title><link>http://rdf.example/</link>
<description>d</description></channel>
<item rdf:about="http://rdf.example/a"><title>RDF item</title><link>http://rdf.example/a</link>
<description>An RSS 1.0 item body.</description><dc:date>2026-01-02T03:04:05+02:00</dc:date></item>
</rdf:RDF>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Times</title>
<link href="https://atom.example/"/><id>urn:x</id><updated>2026-02-01T00:00:00Z</updated>
<entry><title>Über Zürich</title><link href="https://atom.example/zurich"/><id>urn:e1</id>
<published>2026-02-01T10:00:00+01:00</published><updated>2026-02-02T10:00:00+01:00</updated>
<author><name>Jo Ng</name></author><author><name>Li Wu</name></author>
<summary>Teaser</summary>
<content type="html">&lt;p&gt;Fünf Brücken wurden gebaut.&lt;/p&gt;</content></entry>
</feed>""".encode()

JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1", "title": "JF", "language": "fr",
    "home_page_url": "https://jf.example/",
    "items": [
        {"id": "1", "url": "https://jf.example/1", "title": "Un",
         "content_html": "<p>Premier article.</p>", "date_published": "2026-03-01T08:00:00Z",
         "authors": [{"name": "Marie"}]},
        {"id": "2", "url": "https://jf.example/2", "content_text": "Second, en texte."},
    ],
}


def records(data: bytes, name: str = "f.xml") -> list[RawRecord | Reject]:
    return list(records_from_feed(data, name))


def test_rss2_entry_fields_and_sources() -> None:
    out = records(RSS2, "feed.xml")
    assert [r.source for r in out] == ["feed.xml#1", "feed.xml#2", "feed.xml#3"]
    first = out[0]
    assert isinstance(first, RawRecord)
    assert first.html is not None and "The old bridge reopened" in first.html
    assert first.text is not None and first.text.splitlines()[:2] == [
        "The old bridge reopened on Monday.", "Traffic was light."]
    assert "track()" not in first.text
    assert first.url == "https://gazette.example/bridge"
    assert first.title == "Bridge reopens after repairs"
    assert first.authors == ("Ana Ruiz",)
    assert first.published is not None and first.published.startswith("2026-03-03")
    assert first.site == "Example Gazette"
    assert first.language == "en-gb"
    assert first.extra["feed_guid"] == "gz-101"
    assert first.extra["summary"] == "Short teaser."


def test_rss2_summary_fallback_and_empty_entry_reject() -> None:
    out = records(RSS2)
    second, third = out[1], out[2]
    assert isinstance(second, RawRecord)
    assert second.html is not None and "<b>summary</b>" in second.html
    assert second.text == "Only a summary here."
    assert isinstance(third, Reject)
    assert third.source == "f.xml#3" and "no content" in third.reason


def test_rss091_with_external_dtd_is_read_not_fetched() -> None:
    out = records(RSS091)
    assert len(out) == 1 and isinstance(out[0], RawRecord)
    assert out[0].text == "Plain description of the old story."


def test_rss1_rdf() -> None:
    (rec,) = records(RSS1)
    assert isinstance(rec, RawRecord)
    assert rec.url == "http://rdf.example/a" and rec.text == "An RSS 1.0 item body."


def test_atom_content_authors_dates() -> None:
    (rec,) = records(ATOM, "a.atom")
    assert isinstance(rec, RawRecord)
    assert rec.source == "a.atom#1"
    assert rec.title == "Über Zürich"
    assert rec.text == "Fünf Brücken wurden gebaut."
    assert rec.authors == ("Jo Ng", "Li Wu")
    assert rec.published is not None and rec.modified is not None
    assert rec.published < rec.modified


def test_json_feed_through_read(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(JSON_FEED), encoding="utf-8")
    out = list(read([path]))
    assert [r.source for r in out] == [f"{path}#1", f"{path}#2"]
    one, two = out
    assert isinstance(one, RawRecord) and isinstance(two, RawRecord)
    assert one.text == "Premier article." and one.authors == ("Marie",)
    assert one.language == "fr" and one.url == "https://jf.example/1"
    assert two.text == "Second, en texte." and two.html is None


@pytest.mark.parametrize("suffix", [".rss", ".atom", ".xml", ".rdf"])
def test_dispatch_by_suffix(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"feed{suffix}"
    path.write_bytes(ATOM)
    (rec,) = read([path])
    assert isinstance(rec, RawRecord) and rec.source == f"{path}#1"


def test_not_a_feed_is_one_reject() -> None:
    out = records(b"<html><body><p>hello</p></body></html>")
    assert len(out) == 1 and isinstance(out[0], Reject)


def test_feed_over_max_bytes(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(RSS2)
    (rej,) = read([path], max_bytes=100)
    assert isinstance(rej, Reject) and "over the limit" in rej.reason


def test_screen_refuses_entity_declarations_only_in_dtd() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
            b"<rss><channel><item><title>&b;</title></item></channel></rss>")
    with pytest.raises(HostileXML):
        screen_xml(bomb)
    with pytest.raises(HostileXML):  # the same bomb in UTF-16
        screen_xml(bomb.decode().replace('"1.0"?>', '"1.0" encoding="utf-16"?>')
                   .encode("utf-16"))
    quoted = RSS2.replace(b"Traffic was light.", b"Write &lt;!ENTITY x&gt; or <![CDATA[<!ENTITY]]>")
    screen_xml(quoted)  # an article that quotes the syntax is not an attack
    screen_xml(RSS2.replace(b"Traffic was light.",
                            b"<![CDATA[<!DOCTYPE x [<!ENTITY y 'z'>]>]]>"))
    screen_xml(RSS091)  # an external DTD without entity declarations passes


def test_updated_only_atom_is_not_a_publication_date() -> None:
    data = ATOM.replace(b"<published>2026-02-01T10:00:00+01:00</published>", b"")
    (rec,) = records(data)
    assert isinstance(rec, RawRecord)
    assert rec.published is None and rec.modified is not None


def test_rss_email_author_gives_the_name() -> None:
    data = RSS2.replace(b"<dc:creator>Ana Ruiz</dc:creator>",
                        b"<author>desk@gazette.example (Ana Ruiz)</author>")
    first = records(data)[0]
    assert isinstance(first, RawRecord) and first.authors == ("Ana Ruiz",)


def test_html_to_text_blocks_and_scripts() -> None:
    assert html_to_text("<h2>T</h2><p>a <b>b</b></p><style>x{}</style><ul><li>1</li>"
                        "<li>2</li></ul>") == "T\na b\n1\n2"


def test_feedparser_backend_agrees_on_fixture() -> None:
    pytest.importorskip("feedparser")
    fast = [r for r in records_from_feed(ATOM, "a") if isinstance(r, RawRecord)]
    slow = [r for r in records_from_feed(ATOM, "a", backend=feedparser_backend)
            if isinstance(r, RawRecord)]
    assert [(r.title, r.url, r.text, r.authors) for r in fast] == [
        (r.title, r.url, r.text, r.authors) for r in slow]


SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "inputs"
if not SHARED.exists():
    SHARED = Path("/work/shared/datasets/inputs")


@pytest.mark.skipif(not (SHARED / "feeds" / "real-news").exists(), reason="shared data absent")
def test_real_news_feeds_yield_entries_with_urls() -> None:
    out = [r for r in read([SHARED / "feeds" / "real-news"]) if not r.source.endswith(".json")]
    recs = [r for r in out if isinstance(r, RawRecord)]
    assert len(recs) > 300
    assert sum(1 for r in recs if r.url and r.url.startswith("http")) / len(recs) > 0.95
    assert sum(1 for r in recs if (r.text or "").strip()) == len(recs)
    assert len({r.source for r in out}) == len(out)
