"""A crawler for the language check of issue 15 §5: follow every in-site link a user can see and report,
page by page, text a user should never read: `None`, English words outside an allow-list, raw codes."""
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

# Latin words a Chinese user may read: formats, standard abbreviations, product names.
ALLOWED_LATIN = {
    "PDF", "Excel", "xlsx", "ID", "API", "OpenAPI", "REST", "QR", "CSV", "URL", "IP", "AI", "Word", "JSON", "ZIP",
    "JPG", "JPEG", "PNG", "KB", "MB", "GB", "CSP", "SHA", "CST", "GB11643", "GB32100", "Token", "token", "HTTPS",
    "YAML", "UTF", "chinesecalendar", "SHA256", "HTML",
}
# A word outside the allow-list is flagged unless it is a user name (the demo logins show in logs).
# Letters glued to digits are serial numbers (RV-00001, DEMO001234), not words.
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_@.-])[A-Za-z][A-Za-z_]+(?![A-Za-z0-9_]|-?\d)")
_B, _E = r"(?<![A-Za-z0-9_])", r"(?![A-Za-z0-9_])"  # ASCII word edges: Chinese is no boundary
RAW_CODES = [
    (re.compile(_B + r"None" + _E), "None"),
    (re.compile(_B + r"(True|False|null|undefined|nan)" + _E), "raw value"),
    (re.compile(r"object \(\d+\)"), "object repr"),
    (re.compile(_B + r"[a-z_]+\.[a-z_]+(\.[a-z_]+)*" + _E), "dotted code"),
    (re.compile(_B + r"\d+(\.\d+)*\.[a-z_]+" + _E), "clause code"),
    (re.compile(_B + r"[a-z_]+:\d+" + _E), "key:id code"),
    (re.compile(r"\{\{|\}\}|\{%|%\}"), "template syntax"),
]
SKIP_PREFIXES = ("/static/", "/media/", "/logout/", "/admin/logout/", "/admin/jsi18n/", "/api/")
# Django admin's own object forms (permission pickers, history) are Django's text, not ours: the crawl
# reads the admin index and each list.
SKIP_PARTS = ("/history/", "/delete/", "/password/", "/change/", "/add/")
SKIP_TAGS = {"script", "style", "code", "pre", "kbd"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.links, self._open = [], [], []  # open elements: (tag, hides its text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # <code> marks identifiers shown on purpose (policy file codes, hashes); Django admin's
        # screen-reader captions ("Add link", "Model name") have no Chinese translation in Django 5.2.
        if tag not in VOID_TAGS:
            self._open.append((tag, tag in SKIP_TAGS or "visually-hidden" in (attrs.get("class") or "").split()))
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("title", "placeholder", "aria-label"):
            if attrs.get(name):
                self.text.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.text.append(attrs["value"])

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        if not any(hidden for _, hidden in self._open) and data.strip():
            self.text.append(data.strip())


def read_page(html: str):
    parser = _Page()
    parser.feed(html)
    return parser.text, parser.links


def problems_in(texts, *, allowed=frozenset()) -> list[str]:
    found = []
    for text in texts:
        for pattern, kind in RAW_CODES:
            for m in pattern.finditer(text):
                if m.group(0) not in allowed:
                    found.append(f"{kind}: {m.group(0)!r} in {text[:80]!r}")
        for m in LATIN_WORD.finditer(text):
            word = m.group(0)
            if word not in ALLOWED_LATIN and word not in allowed:
                found.append(f"English: {word!r} in {text[:80]!r}")
    return sorted(set(found))


def shape(url: str) -> str:
    """URLs differing only in ids or query strings (filters, pages, sorting) are one page shape."""
    return re.sub(r"\d+", "N", urlsplit(url).path)


@dataclass
class CrawlResult:
    pages: list = field(default_factory=list)
    problems: dict = field(default_factory=lambda: defaultdict(list))
    errors: dict = field(default_factory=dict)     # url -> status (500s, and 403/404 behind a visible link)


def crawl(client, start=("/",), *, allowed=frozenset(), per_shape=2, max_pages=400, skip=()) -> CrawlResult:
    """Breadth-first over the in-site links of HTML pages reachable from `start` for `client`'s user."""
    result, seen, shapes = CrawlResult(), set(), defaultdict(int)
    queue = [(url, None) for url in start]
    while queue and len(result.pages) < max_pages:
        url, referrer = queue.pop(0)
        url = urldefrag(url)[0]
        if (url in seen or not url.startswith("/") or url.startswith(SKIP_PREFIXES + tuple(skip))
                or any(part in url for part in SKIP_PARTS)):
            continue
        seen.add(url)
        key = shape(url)
        if shapes[key] >= per_shape:
            continue
        shapes[key] += 1
        resp = client.get(url)
        if resp.status_code in (301, 302):
            queue.append((resp.url, referrer))
            continue
        if resp.status_code >= 500 or (referrer and resp.status_code in (403, 404)):
            result.errors[url] = f"{resp.status_code}, linked from {referrer}"
            continue
        if "text/html" not in resp.get("Content-Type", "") or getattr(resp, "streaming", False):
            continue
        result.pages.append(url)
        texts, links = read_page(resp.content.decode())
        found = problems_in(texts, allowed=allowed)
        if found:
            result.problems[url] = found
        base = url.split("?")[0]
        queue.extend((link if link.startswith("/") else (base + link if link.startswith("?") else link), url)
                     for link in links)
    return result
