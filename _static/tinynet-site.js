/* tinynet: the book's own fixes to its theme (sphinx-book-theme 1.3.0 + pydata-sphinx-theme 0.17.1).
 * Loaded on every page by _ext/tinynet_site.py; checked by tests/test_browser.py. */
"use strict";

/* 1. The sidebar buttons (☰ and the page-contents button).
 *
 * pydata-sphinx-theme 0.17 puts its own ☰ into the top navbar (hidden in this theme) and binds
 * the "open the drawer" handler to the *first* .primary-toggle / .secondary-toggle of the page;
 * sphinx-book-theme binds its "hide the sidebar on a wide screen" handler to the same first
 * button. The buttons the reader sees in the article header come later and get no handler, so
 * they do nothing (pydata-sphinx-theme #2451, sphinx-book-theme #988; no release of
 * sphinx-book-theme that works with Sphinx 7 has the fix). Here every other button of the same
 * kind passes its click on to the first one, which already does the right thing for the width:
 * opens the drawer on a narrow screen, hides or shows the sidebar on a wide one. */
function tinynetForwardToggles() {
  for (const kind of [".primary-toggle", ".secondary-toggle"]) {
    const [first, ...others] = document.querySelectorAll(kind);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        first.click();
        button.blur(); // no tooltip left hanging after the click
      });
    }
  }
  // A wide screen: say whether the sidebar is shown (screen readers hear "expanded").
  const sidebar = document.getElementById("pst-primary-sidebar");
  const visible = document.querySelectorAll(".header-article-items .primary-toggle");
  if (sidebar && visible.length) {
    const update = () => {
      const hidden = sidebar.classList.contains("pst-sidebar-hidden");
      visible.forEach((b) => b.setAttribute("aria-expanded", String(!hidden)));
    };
    new MutationObserver(update).observe(sidebar, { attributes: true, attributeFilter: ["class"] });
    update();
  }
}

/* 2. Search snippets as plain text.
 *
 * Sphinx builds a result's snippet from the text of the page's [role=main], which in this theme
 * also holds the page's contents list, and in which formulas are still TeX (MathJax typesets
 * them only on the page itself), so snippets read "Содержание ... \(L\) ...". Here the snippet
 * text comes from the article alone, with formulas turned into readable plain text. */
const TINYNET_TEX_SYMBOLS = {
  alpha: "α", beta: "β", gamma: "γ", delta: "δ", Delta: "Δ", epsilon: "ε", varepsilon: "ε",
  eta: "η", theta: "θ", lambda: "λ", mu: "μ", nu: "ν", pi: "π", rho: "ρ", sigma: "σ",
  Sigma: "Σ", tau: "τ", phi: "φ", varphi: "φ", psi: "ψ", omega: "ω", partial: "∂", nabla: "∇",
  cdot: "·", times: "×", odot: "⊙", sum: "Σ", prod: "Π", infty: "∞", approx: "≈", le: "≤",
  leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", to: "→", rightarrow: "→", leftarrow: "←",
  in: "∈", mathbb: "", top: "ᵀ", intercal: "ᵀ", sqrt: "√", ldots: "…", dots: "…", cdots: "⋯",
  pm: "±", log: "log", exp: "exp", max: "max", min: "min", ln: "ln", quad: " ", qquad: " ",
};

function tinynetTexToText(tex) {
  let s = tex.trim().replace(/^\\\(|\\\)$|^\\\[|\\\]$|^\$\$?|\$\$?$/g, "");
  s = s.replace(/\\begin\{[^}]*\}|\\end\{[^}]*\}|\\label\{[^}]*\}|\\tag\{[^}]*\}/g, " ");
  for (let i = 0; i < 3; i++) {
    s = s.replace(/\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "($1)/($2)");
  }
  s = s.replace(/\\(text|mathrm|mathbf|mathit|operatorname|boldsymbol)\s*\{([^{}]*)\}/g, "$2");
  s = s.replace(/\\left|\\right|\\big|\\Big|\\bigg|\\Bigg/g, "");
  s = s.replace(/\\([A-Za-z]+)/g, (m, name) => (name in TINYNET_TEX_SYMBOLS ? TINYNET_TEX_SYMBOLS[name] : ""));
  s = s.replace(/\\[,;:!> ]|~/g, " ").replace(/\\\\|&/g, " ").replace(/\\([{}%#_$])/g, "$1");
  s = s.replace(/[{}]/g, "").replace(/\\/g, "");
  return s.replace(/\s+/g, " ").trim();
}

function tinynetSearchText(htmlString, anchor) {
  const doc = new DOMParser().parseFromString(htmlString, "text/html");
  const chrome = [".headerlink", "script", "style", ".bd-header-article", ".bd-sidebar-secondary",
    ".prev-next-area", ".bd-footer-article", ".toctree-wrapper", ".cell_output", ".hide-input"];
  doc.querySelectorAll(chrome.join(", ")).forEach((el) => el.remove());
  doc.querySelectorAll(".math").forEach((el) => {
    el.textContent = " " + tinynetTexToText(el.textContent) + " ";
  });
  const article = doc.querySelector("article") || doc.querySelector('[role="main"]');
  if (!article) return "";
  const block = (anchor && article.querySelector(anchor)) || article;
  return block.textContent.replace(/\s+/g, " ");
}

function tinynetPatchSearch() {
  if (typeof Search !== "undefined" && Search.htmlToText) {
    Search.htmlToText = tinynetSearchText;
  }
}

/* 3. Display formulas that do not fit the column are set smaller, down to 75 %; narrower than that
 * (a phone) they scroll inside the column (tinynet.css). MathJax 3 does not break lines. */
function tinynetFitFormulas() {
  document.querySelectorAll('mjx-container[display="true"]').forEach((m) => {
    if (m.dataset.tinynetSize === undefined) m.dataset.tinynetSize = m.style.fontSize || "100%";
    const base = parseFloat(m.dataset.tinynetSize);
    m.style.fontSize = base + "%";
    const ratio = m.clientWidth / m.scrollWidth;
    if (ratio < 1) m.style.fontSize = base * Math.max(ratio * 0.98, 0.75) + "%";
    // A formula that still scrolls can be reached and scrolled from the keyboard.
    if (m.scrollWidth > m.clientWidth + 1) m.tabIndex = 0;
    else m.removeAttribute("tabindex");
  });
}

function tinynetWatchFormulas() {
  if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return;
  MathJax.startup.promise.then(tinynetFitFormulas);
  let timer = null;
  window.addEventListener("resize", () => {
    clearTimeout(timer);
    timer = setTimeout(tinynetFitFormulas, 200);
  });
}

/* 4. Plots: a click (tap) opens the picture at its natural size in a full-screen dialog that
 * scrolls, so a wide multi-panel figure can be read on a phone; a click, Escape or the button
 * closes it. Without JavaScript the link opens the picture itself. */
function tinynetZoomablePlots() {
  document.querySelectorAll(".bd-article div.cell_output img").forEach((img) => {
    if (img.closest("a")) return;
    const link = document.createElement("a");
    link.href = img.getAttribute("src");
    link.className = "tinynet-zoom";
    link.title = "Открыть график крупно";
    img.replaceWith(link);
    link.appendChild(img);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const dialog = document.createElement("dialog");
      dialog.className = "tinynet-zoom-dialog";
      dialog.setAttribute("aria-label", img.alt);
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "Закрыть ✕";
      const big = img.cloneNode();
      big.removeAttribute("width");
      big.removeAttribute("height");
      big.removeAttribute("style");
      dialog.append(close, big);
      document.body.appendChild(dialog);
      const shut = () => dialog.close();
      close.addEventListener("click", shut);
      big.addEventListener("click", shut);
      dialog.addEventListener("close", () => {
        dialog.remove();
        link.focus();
      });
      dialog.showModal();
      close.focus();
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  tinynetForwardToggles();
  tinynetPatchSearch();
  tinynetWatchFormulas();
  tinynetZoomablePlots();
});
