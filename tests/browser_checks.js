async ({ viewport }) => {
  // Run inside every page by tests/test_browser.py (page.evaluate): returns the page's
  // problems as Russian sentences, an empty list when there are none.
  const problems = [];
  if (window.MathJax && MathJax.startup) {
    await MathJax.startup.promise;
    const errors = document.querySelectorAll("mjx-merror, mjx-container [data-mjx-error]");
    errors.forEach((e) => problems.push("ошибка MathJax: " + (e.getAttribute("data-mjx-error") || e.textContent)));
  }
  // Raw TeX outside code: text nodes of the article that are not inside pre/code/script.
  const article = document.querySelector("article") || document.body;
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => n.parentElement.closest("pre, code, script, style, mjx-assistive-mml")
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const raw = /\$\$|\\frac|\\\(|\\\[/;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (raw.test(n.textContent)) problems.push("сырой TeX в тексте: " + n.textContent.trim().slice(0, 80));
  }
  const doc = document.documentElement;
  if (viewport === "phone" && doc.scrollWidth > window.innerWidth) {
    // Name the widest offenders so that the failure says what to fix.
    const wide = [...article.querySelectorAll("*")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .filter((e) => !e.parentElement.closest("pre, mjx-container, .highlight"))
      .slice(0, 5).map((e) => e.tagName.toLowerCase() + "." + e.className + ": " + (e.textContent || "").trim().slice(0, 40));
    problems.push(`документ шире экрана: ${doc.scrollWidth} > ${window.innerWidth}; ${wide.join(" | ")}`);
  }
  if (viewport === "desktop") {
    document.querySelectorAll('mjx-container[display="true"]').forEach((m) => {
      const box = m.parentElement.getBoundingClientRect();
      const math = m.querySelector("mjx-math") || m;
      if (m.scrollWidth > m.clientWidth + 1 || math.getBoundingClientRect().right > box.right + 1) {
        problems.push("формула шире колонки: " + (m.closest("[id]") || {}).id);
      }
    });
    document.querySelectorAll("article pre").forEach((pre) => {
      if (pre.scrollWidth > pre.clientWidth + 1) problems.push("код прокручивается вбок: " + pre.textContent.slice(0, 60));
    });
  }
  document.querySelectorAll("img").forEach((img) => {
    const alt = img.getAttribute("alt");
    if (alt === null || /^\s*$|^[\w./-]*\.(png|jpe?g|svg|gif|webp)$|_images\//i.test(alt)) {
      problems.push(`картинка без описания: ${img.getAttribute("src")} alt=${JSON.stringify(alt)}`);
    }
  });
  return problems;
}
