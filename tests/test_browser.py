"""The built site in a real browser: every page at a desktop and a phone width, light and dark.

Headless Chromium (Playwright's Python client driving an installed Chromium) opens
``_build/html`` served on 127.0.0.1 and checks what a reader meets: no script error, no broken
or foreign request, math rendered, nothing wider than the screen, a navigation button that
works, alt texts, no serious axe-core violation, and a search whose snippets are plain text.
One browser serves all tests; each page is loaded once per width and colour scheme and checked
for everything at once, so a failure lists all problems of the page.

The browser: ``TINYNET_CHROMIUM`` if set, else an installed Chromium
(``tests/sitebuild.py``, ``chromium_path``).
axe-core is vendored: ``tests/vendor/axe.min.js`` is ``axe.min.js`` of the npm package
``axe-core`` 4.14.1 (``npm pack axe-core@4.14.1``), with its MPL-2.0 licence beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright import sync_api as playwright_api

from tests.sitebuild import PAGES, launch_chromium, serve

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
SCHEMES = ["light", "dark"]
# A file name or a path where a description should be (what MyST-NB writes without an alt).
FILE_NAME_ALT = re.compile(r"\.(png|jpe?g|svg|gif|webp)\b|/|^_images|^\s*$", re.IGNORECASE)
# Raw TeX a reader must never see: MathJax left it untypeset, or a snippet kept the source.
RAW_TEX = re.compile(r"\$\$|\\frac|\\\(|\\\)|\\\[|\\\]|\\[a-zA-Z]{2,}\{")


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """``_build/html`` over HTTP on 127.0.0.1 (a free port), as a web host would serve it."""
    with serve(site) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for this module. Playwright starts it with a fresh, temporary
    profile (its own --user-data-dir); every page gets a new context of it. Module scope, not
    session: Playwright's sync API runs an event loop while it is open, and another module's
    own ``sync_playwright()`` (tests/test_reader_path.py) refuses to start inside it."""
    with playwright_api.sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


class Visit:
    """A page opened in a fresh context, with everything the browser reported while loading."""

    def __init__(self, browser, origin: str, path: str, viewport: str, scheme: str):
        width, height = VIEWPORTS[viewport]
        self.host = urlsplit(origin).netloc
        self.problems: list[str] = []
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, color_scheme=scheme
        )
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"ошибка JS: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"запрос не удался: {r.url}"))
        self.page.on("response", self._response)
        self.page.goto(f"{origin}/{path}", wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console.error: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _route(self, route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("data", "blob") or url.netloc == self.host:
            route.continue_()
        else:
            self.problems.append(f"запрос к чужому хосту: {route.request.url}")
            route.abort()

    def close(self) -> None:
        self.context.close()


# Everything checked inside the page in one pass (tests/browser_checks.js): a list of problems.
PAGE_CHECKS = (Path(__file__).parent / "browser_checks.js").read_text(encoding="utf-8")


def sidebar_problems(page, viewport: str) -> list[str]:
    """The visible ☰ button: on a phone it opens the navigation and a tap outside closes it;
    on a desktop it hides the sidebar and shows it again."""
    toggle = page.locator(".primary-toggle:visible")
    if toggle.count() != 1:
        return [f"видимых кнопок навигации: {toggle.count()}, а не одна"]
    sidebar = page.locator("#pst-primary-sidebar .bd-docs-nav, dialog .bd-docs-nav").first
    problems = []
    if viewport == "phone":
        toggle.click()
        try:
            page.locator("dialog#pst-primary-sidebar-modal[open] .bd-docs-nav").wait_for(
                state="visible", timeout=3000
            )
        except playwright_api.TimeoutError:
            return ["кнопка навигации не открывает оглавление на телефоне"]
        width, height = VIEWPORTS[viewport]
        page.mouse.click(width - 10, height // 2)  # the backdrop right of the drawer
        try:
            page.locator("dialog#pst-primary-sidebar-modal[open]").wait_for(
                state="detached", timeout=3000
            )
        except playwright_api.TimeoutError:
            problems.append("оглавление на телефоне не закрывается касанием рядом")
        contents = page.locator(".secondary-toggle:visible")
        if contents.count() == 1:  # pages with sections: the page-contents button
            contents.click()
            try:
                page.locator("dialog#pst-secondary-sidebar-modal[open] nav").first.wait_for(
                    state="visible", timeout=3000
                )
            except playwright_api.TimeoutError:
                problems.append("кнопка «Содержание страницы» ничего не открывает на телефоне")
            else:
                page.keyboard.press("Escape")
    else:
        if not sidebar.is_visible():
            return ["на компьютере боковая панель не видна сразу"]
        toggle.click()
        try:
            sidebar.wait_for(state="hidden", timeout=3000)
        except playwright_api.TimeoutError:
            return ["кнопка навигации не скрывает боковую панель на компьютере"]
        toggle.click()
        try:
            sidebar.wait_for(state="visible", timeout=3000)
        except playwright_api.TimeoutError:
            problems.append("кнопка навигации не возвращает боковую панель")
    return problems


def axe_problems(page) -> list[str]:
    """Serious and critical axe-core violations, one line each with the first elements."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 3)
              .map((n) => n.target.join(" ") + " " + (n.failureSummary || "").split("\\n")[1])
              .join("; "))"""
    )
    return [f"axe: {v}" for v in violations]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("page_name", PAGES)
def test_every_page_works_for_every_reader(browser, server, page_name, viewport, scheme):
    visit = Visit(browser, server, f"{page_name}.html", viewport, scheme)
    try:
        page = visit.page
        theme = page.evaluate("document.documentElement.dataset.theme")
        assert theme == scheme, f"тема страницы {theme!r}, а система просит {scheme!r}"
        problems = page.evaluate(PAGE_CHECKS, {"viewport": viewport})
        problems += axe_problems(page)
        problems += sidebar_problems(page, viewport)
        problems += visit.problems
    finally:
        visit.close()
    assert not problems, "\n".join(problems)


def test_search_finds_gradient_and_shows_plain_text_snippets(browser, server):
    visit = Visit(browser, server, "search.html?q=градиента", "desktop", "light")
    try:
        page = visit.page
        # Sphinx shows the results one by one, fetching each page for its snippet: done when
        # the list has stopped growing and the network is quiet.
        page.locator("#search-results li p.context").first.wait_for(timeout=30000)
        count = -1
        while count != (count := page.locator("#search-results li").count()):
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(500)
        snippets = page.locator("#search-results li p.context").all_inner_texts()
        problems = list(visit.problems)
    finally:
        visit.close()
    assert not problems, "\n".join(problems)
    assert len(snippets) >= 3, snippets
    for snippet in snippets:
        assert not RAW_TEX.search(snippet), snippet
        assert "градиент" in snippet.lower(), snippet


def test_the_site_ships_only_the_mathjax_its_pages_load(site):
    """sphinx-mathjax-offline brings 23 MB of MathJax; the pages load tex-chtml.js, its fonts and
    TeX extensions on demand (_ext/tinynet_site.py removes the rest). A page that needed a
    removed file would fail ``test_every_page_works_for_every_reader`` with a 404."""
    mathjax = site / "_static" / "mathjax"
    files = [p for p in mathjax.rglob("*") if p.is_file()]
    assert (mathjax / "tex-chtml.js").is_file()
    assert not (mathjax / "tex-svg-full.js").exists() and not (mathjax / "sre").exists()
    size = sum(p.stat().st_size for p in files)
    assert size < 4_000_000, f"MathJax на сайте: {size / 1e6:.1f} МБ"


def test_a_chapter_page_transfers_a_few_megabytes(browser, server):
    """What a reader's browser downloads for the heaviest chapter (pictures, MathJax, theme)."""
    visit = Visit(browser, server, "book/11_digits.html", "desktop", "light")
    try:
        sizes = visit.page.evaluate(
            "performance.getEntriesByType('resource').map((r) => [r.name, r.encodedBodySize])"
            ".concat([[location.href, performance.getEntriesByType('navigation')[0]"
            ".encodedBodySize]])"
        )
    finally:
        visit.close()
    total = sum(size for _, size in sizes)
    heaviest = sorted(sizes, key=lambda item: -item[1])[:5]
    assert 0 < total < 6_000_000, (total, heaviest)


ENGLISH_INTERFACE = [
    "Back to top",
    "Search...",
    "Toggle primary sidebar",
    "Toggle secondary sidebar",
    "Color mode",
    "System Settings",
    "Download notebook file",
    "Download source file",
    "Fullscreen mode",
    "Print to PDF",
    "Last updated on",
    "Скачать файл записной книжки",
]


@pytest.mark.parametrize("page_name", PAGES)
def test_the_interface_speaks_russian(site, page_name):
    html = (site / f"{page_name}.html").read_text(encoding="utf-8")
    assert [s for s in ENGLISH_INTERFACE if s in html] == []
    assert "Наверх" in html and 'title="Оглавление книги"' in html
    if page_name.startswith("book/0") or page_name.startswith("book/1"):
        assert "Скачать блокнот (.ipynb)" in html


def test_the_bibliography_speaks_russian(site):
    html = (site / "book" / "bibliography.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html[html.index('class="citation-list"') :])
    assert re.search(r"\bIn\b|URL:|\bvolume\b|\bedition\b|\beditors?\b|\bpages\b", text) is None
    assert "В кн.:" in text and "2-е изд." in text and " и " in text


def test_a_plot_opens_at_full_size_on_a_phone(browser, server):
    """A wide multi-panel plot is shrunk to the phone's width; a tap shows it at natural size."""
    visit = Visit(browser, server, "book/07_gradcheck.html", "phone", "light")
    try:
        page = visit.page
        link = page.locator("a.tinynet-zoom").last  # the six-panel figure
        shown = link.locator("img").evaluate("(img) => [img.clientWidth, img.naturalWidth]")
        assert shown[0] < shown[1], shown
        link.click()
        big = page.locator("dialog.tinynet-zoom-dialog[open] img")
        big.wait_for(state="visible", timeout=3000)
        assert big.evaluate("(img) => img.clientWidth === img.naturalWidth")
        assert big.get_attribute("alt") == link.locator("img").get_attribute("alt")
        page.locator("dialog.tinynet-zoom-dialog button").click()
        page.locator("dialog.tinynet-zoom-dialog").wait_for(state="detached", timeout=3000)
        problems = visit.problems
    finally:
        visit.close()
    assert not problems, "\n".join(problems)
