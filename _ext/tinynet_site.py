"""Sphinx extension: the site as a reader's browser gets it.

1. The interface in Russian. The themes' Russian catalogues lack some strings ("Back to top",
   "Search...", the colour-mode names) and translate others oddly («Скачать файл записной
   книжки»); the sidebar toggles' tooltips are English literals in sphinx-book-theme's
   templates (overridden in ``_ext/site_templates``). ``INTERFACE`` below is put in front of
   the catalogues.
2. The bibliography in Russian: a pybtex style ``tinynet`` (unsrt with Russian words: «В кн.:»,
   «т.», «с.», «2-е изд.», «и» between authors).
3. MathJax as the pages use it. sphinx-mathjax-offline copies its whole MathJax 3 (about 23 MB:
   every combined bundle, SVG output, speech rules) into ``_static/mathjax``; the pages load
   ``tex-chtml.js``, its fonts and, on demand, a TeX extension for a macro outside the bundle.
   The rest is removed after the copy; the browser tests (``tests/test_browser.py``) fail on any
   request that finds nothing, so a page that needs a removed file is caught.
4. The sidebar toggles, the search snippets, fitted formulas, zoomable plots:
   ``_static/tinynet-site.js`` (see there), and duplicate inline scripts removed (below).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pybtex.plugin import register_plugin
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.formatting.unsrt import date, pages
from pybtex.style.template import (
    field,
    first_of,
    href,
    join,
    names,
    optional,
    optional_field,
    sentence,
    tag,
    together,
    words,
)
from sphinx.application import Sphinx
from sphinx.locale import translators

HERE = Path(__file__).resolve().parent

# Interface strings by Sphinx message catalogue: "sphinx" (Sphinx and pydata-sphinx-theme),
# "booktheme" (sphinx-book-theme). Each msgid is the English string of the theme's template.
INTERFACE = {
    "sphinx": {
        "Back to top": "Наверх",
        "Search...": "Поиск…",
        "Search": "Поиск",
        "Search the docs ...": "Поиск по книге…",
        "Color mode": "Цветовая схема",
        "Light": "Светлая",
        "Dark": "Тёмная",
        "System Settings": "Как в системе",
        "Skip to main content": "Перейти к тексту",
        "Last updated on %(last_updated)s.": "Обновлено %(last_updated)s.",
    },
    "booktheme": {
        "Download notebook file": "Скачать блокнот (.ipynb)",
        "Download source file": "Скачать исходный файл (.md)",
        "Download this page": "Скачать страницу",
        "Print to PDF": "Печать в PDF",
        "Fullscreen mode": "Во весь экран",
        "By": "Авторы:",
        "Contents": "Содержание",
        "Launch": "Запустить",
    },
}


def _install_interface_strings(app: Sphinx) -> None:
    """Put ``INTERFACE`` in front of the loaded catalogues (after the theme registered its own).

    The translators are the objects the templates already hold, so they are updated in place:
    a ``gettext.GNUTranslations`` keeps its messages in ``_catalog``.
    """
    if app.config.language != "ru":
        return
    for catalogue, strings in INTERFACE.items():
        translator = translators.get(("general", catalogue))
        if translator is None or not hasattr(translator, "_catalog"):
            continue
        translator._catalog.update(strings)


def _configure(app: Sphinx, config) -> None:
    """Templates first, and the published address when building in GitHub Actions."""
    # In front of the themes' component folders, so that these templates win: the sidebar
    # toggles with Russian tooltips, the search and colour-mode buttons without a label that
    # contradicts their visible text (see the comments in each file).
    config.templates_path = [str(HERE / "site_templates"), *config.templates_path]
    # Vendored scripts (tippy.js and Popper for sphinx-tippy) live outside _static: Jupyter Book
    # adds every .js under _static to every page, without defer and in alphabetical order, and
    # tippy must load after Popper. From here they are copied to _static/vendor unannounced,
    # and sphinx-tippy adds them itself (tippy_js in _config.yml). _static/tinynet-site.js is
    # added to the pages by Jupyter Book's rule.
    config.html_static_path = [*config.html_static_path, str(HERE / "site_static")]
    # The sitemap and the OpenGraph cards need the published address: TINYNET_SITE_URL (the
    # workflow passes actions/configure-pages' base_url, right for custom domains too), else
    # GitHub Pages' default https://<owner>.github.io/<name>/ in Actions, else _config.yml's.
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    if os.environ.get("TINYNET_SITE_URL"):
        config.html_baseurl = os.environ["TINYNET_SITE_URL"].rstrip("/") + "/"
    elif os.environ.get("GITHUB_ACTIONS") == "true" and "/" in repository:
        owner, name = repository.split("/", 1)
        config.html_baseurl = f"https://{owner.lower()}.github.io/{name}/"
    if not getattr(config, "ogp_site_url", ""):
        config.ogp_site_url = config.html_baseurl


def _biblioentry_as_listitem(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Reference-list entries as list items. docutils marks each entry of a citation list
    ``role="doc-biblioentry"``, a DPUB-ARIA role deprecated in favour of ``listitem``; axe-core
    does not take it for a list item and reports the list's content as not allowed in a
    ``role="list"`` (aria-required-children, critical)."""
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _dedupe_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Each inline script once. Sphinx 7.4 registers an extension's inline script twice (once
    with filename None, once with ''), so sphinx-thebe's ``const THEBE_JS_URL = ...`` ran twice
    and threw "Identifier 'THEBE_JS_URL' has already been declared" on every page."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    unique = []
    for js in scripts:
        key = (
            getattr(js, "filename", js) or "",
            tuple(sorted(getattr(js, "attributes", {}).items())),
        )
        if key in seen:
            continue
        seen.add(key)
        unique.append(js)
    scripts[:] = unique


class RussianStyle(UnsrtStyle):
    """unsrt with the words of a Russian reference list."""

    default_sorting_style = "none"

    def format_names(self, role, as_sentence=True):
        formatted = names(role, sep=", ", sep2=" и ", last_sep=" и ")
        return sentence[formatted] if as_sentence else formatted

    def format_editor(self, e, as_sentence=True):
        editors = self.format_names("editor", as_sentence=False)
        if "editor" not in e.persons:
            return editors
        result = join(sep=" ")[editors, "(ред.)"]
        return sentence[result] if as_sentence else result

    def format_volume_and_series(self, e, as_sentence=True):
        volume_and_series = optional[
            join(sep=", ")[optional_field("series"), together["т.", field("volume")]]
        ]
        number_and_series = optional[
            join(sep=", ")[optional_field("series"), together["вып.", field("number")]]
        ]
        result = first_of[volume_and_series, number_and_series, optional_field("series")]
        return sentence(capfirst=True)[result] if as_sentence else result

    def format_chapter_and_pages(self, e):
        return join(sep=", ")[
            optional[together["гл.", field("chapter")]],
            optional[together["с.", pages]],
        ]

    def format_edition(self, e):
        return optional[join[field("edition"), "-е изд."]]

    def format_url(self, e):
        url = field("url", raw=True)
        return words["Сайт:", href(url)[url]]

    def get_article_template(self, e):
        volume_and_pages = first_of[
            optional[
                join[
                    together["т.", field("volume")],
                    optional[", № ", field("number")],
                    ", ",
                    together["с.", pages],
                ]
            ],
            together["с.", pages],
        ]
        return toplevel[
            self.format_names("author"),
            self.format_title(e, "title"),
            sentence[tag("em")[field("journal")], optional[volume_and_pages], date],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def get_incollection_template(self, e):
        return toplevel[
            sentence[self.format_names("author")],
            self.format_title(e, "title"),
            words[
                "В кн.:",
                sentence[
                    optional[self.format_editor(e, as_sentence=False)],
                    self.format_btitle(e, "booktitle", as_sentence=False),
                    self.format_volume_and_series(e, as_sentence=False),
                    self.format_chapter_and_pages(e),
                ],
            ],
            sentence[
                optional_field("publisher"),
                optional_field("address"),
                self.format_edition(e),
                date,
            ],
            self.format_web_refs(e),
        ]

    def get_inproceedings_template(self, e):
        return toplevel[
            sentence[self.format_names("author")],
            self.format_title(e, "title"),
            words[
                "В сб.:",
                sentence[
                    optional[self.format_editor(e, as_sentence=False)],
                    self.format_btitle(e, "booktitle", as_sentence=False),
                    self.format_volume_and_series(e, as_sentence=False),
                    optional[together["с.", pages]],
                ],
                self.format_address_organization_publisher_date(e),
            ],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]


# What the pages load from _static/mathjax (paths relative to it); everything else goes.
MATHJAX_KEEP = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions")


def _prune_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """Remove the MathJax files no page loads (runs after sphinx-mathjax-offline's copy)."""
    root = Path(app.outdir) / "_static" / "mathjax"
    if exception is not None or app.builder.format != "html" or not root.is_dir():
        return
    keep = [root / k for k in MATHJAX_KEEP]
    for path in sorted(root.rglob("*"), reverse=True):
        if any(path == k or k in path.parents for k in keep):
            continue
        if any(path in k.parents for k in keep):
            continue  # a folder on the way to a kept file
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def setup(app: Sphinx) -> dict:
    register_plugin("pybtex.style.formatting", "tinynet", RussianStyle)
    app.connect("config-inited", _configure)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _biblioentry_as_listitem)
    app.connect("builder-inited", _install_interface_strings)
    # After sphinx-mathjax-offline's own build-finished handler (default priority 500).
    app.connect("build-finished", _prune_mathjax, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
