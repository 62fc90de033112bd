// Studio editor: live share-text counters, adding share texts, and a warning before
// leaving a page with unsaved changes. No inline scripts (CSP); everything hooks on data-*.
(function () {
  "use strict";

  // --- Share-text counter: the same rules as publishing.share_text_count --------------
  var X_LINK = 23;
  var URL_RE = /https?:\/\/\S+/gi;
  var X_LIGHT = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];

  function xWeight(ch) {
    var code = ch.codePointAt(0);
    for (var i = 0; i < X_LIGHT.length; i++) {
      if (code >= X_LIGHT[i][0] && code <= X_LIGHT[i][1]) { return 1; }
    }
    return 2;
  }

  var segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
  function clusters(text) {
    return segmenter ? Array.from(segmenter.segment(text), function (s) { return s.segment; }) : Array.from(text);
  }

  function textLength(text, network) {
    text = text.normalize("NFC");
    if (network === "x") {
      var links = (text.match(URL_RE) || []).length;
      return clusters(text.replace(URL_RE, "")).reduce(function (sum, cluster) {
        // twitter-text: an emoji (sequence) weighs 2, other characters by their range
        if (/\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(cluster)) { return sum + 2; }
        return Array.from(cluster).reduce(function (s, ch) { return s + xWeight(ch); }, sum);
      }, 0) + links * X_LINK;
    }
    if (network === "mastodon") {  // Mastodon counts every link as 23 too
      return Array.from(text.replace(URL_RE, "x".repeat(X_LINK))).length;
    }
    if (network === "bluesky") { return clusters(text).length; }
    return Array.from(text).length;
  }

  function shareBox() { return document.querySelector(".share-texts[data-limits]"); }

  function disclosure(box) {
    var own = document.getElementById("id_disclosure");
    if (own && own.value.trim()) { return own.value.trim(); }
    var language = document.getElementById("id_language");
    var code = language ? language.value : "en";
    return (code === "nl" ? box.dataset.disclosureNl : box.dataset.disclosureEn) || "";
  }

  // What sharing adds (sharing.share_intent, share_texts.share_text_count): an empty line
  // and the disclosure line unless the text holds it, then the tracked link (SITE_URL +
  // "/s/" + a 10-character code; X and Mastodon count any link as 23) after a space on X, a
  // new line on Bluesky and an empty line elsewhere.
  var CODE_LENGTH = 10;
  function withDisclosure(text, line) {
    if (!line || text.indexOf(line) !== -1) { return text; }
    return text ? text + "\n\n" + line : line;
  }
  function linkReserve(box, network) {
    var link = (network === "x" || network === "mastodon") ? X_LINK : parseInt(box.dataset.siteUrlLength, 10) + 3 + CODE_LENGTH;
    return ((network === "x" || network === "bluesky") ? 1 : 2) + link;
  }

  function updateRow(row) {
    var box = shareBox();
    if (!box) { return; }
    var limits = JSON.parse(box.dataset.limits);
    var select = row.querySelector("select");
    var area = row.querySelector("textarea[data-share-text]");
    var out = row.querySelector(".share-count");
    if (!select || !area || !out) { return; }
    var network = select.value;
    var limit = limits[network] || 4000;
    var text = area.value.trim();
    if (!text) { out.textContent = ""; out.classList.remove("over"); return; }
    var used = textLength(withDisclosure(text, disclosure(box)), network) + linkReserve(box, network);
    out.textContent = used + " / " + limit;
    out.classList.toggle("over", used > limit);
    area.setAttribute("aria-invalid", used > limit ? "true" : "false");
  }

  function updateAll() {
    document.querySelectorAll(".share-text-row").forEach(updateRow);
  }

  document.addEventListener("input", function (event) {
    var row = event.target.closest && event.target.closest(".share-text-row");
    if (row) { updateRow(row); }
    if (event.target.id === "id_disclosure") { updateAll(); }
  });
  document.addEventListener("change", function (event) {
    var row = event.target.closest && event.target.closest(".share-text-row");
    if (row) { updateRow(row); }
    if (event.target.id === "id_language") { updateAll(); }
  });

  // --- Add another share text (Django formset with a <template> row) ------------------
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-add-share-text]");
    if (!button) { return; }
    var template = document.getElementById("share-text-template");
    var total = document.getElementById("id_texts-TOTAL_FORMS");
    var rows = document.querySelector(".share-text-rows");
    if (!template || !total || !rows) { return; }
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = rows.lastElementChild;
    var area = added && added.querySelector("textarea");
    if (area) { area.focus(); }
  });

  // --- Unsaved changes ------------------------------------------------------------------
  var dirty = false;
  document.addEventListener("input", function (event) {
    if (event.target.form && event.target.form.hasAttribute("data-unsaved-warning")) {
      dirty = true;
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.form && event.target.form.hasAttribute("data-unsaved-warning")) {
      dirty = true;
    }
  });
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute("data-unsaved-warning")) { dirty = false; }
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) { return; }
    event.preventDefault();
    event.returnValue = "";
  });

  document.addEventListener("DOMContentLoaded", updateAll);
})();

// Issue 12: a failed save lands on the error summary (focused, so screen readers read it),
// and the "no topic" warning follows the topic boxes.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) {
      summary.scrollIntoView({ block: "start" });
      summary.focus({ preventScroll: true });
    }
  });

  function updateTopicWarning() {
    var warning = document.querySelector("[data-no-topic-warning]");
    if (!warning) { return; }
    var checked = document.querySelectorAll('input[name="topics"]:checked').length;
    warning.hidden = checked > 0;
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "topics") { updateTopicWarning(); }
  });
})();

// Issue 12: on a phone the plain-language panel moves right under the text field (it would
// otherwise sit below the whole form, thousands of pixels away); back beside it when wider.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 50rem)");

  function place() {
    var panel = document.querySelector(".editor > .plain-language, .editor-form .plain-language");
    var body = document.getElementById("id_body");
    var editor = document.querySelector(".editor");
    if (!panel || !body || !editor) { return; }
    if (narrow.matches) {
      if (panel.previousElementSibling !== body) { body.after(panel); }
    } else if (panel.parentElement !== editor) {
      editor.appendChild(panel);
    }
  }

  document.addEventListener("DOMContentLoaded", place);
  if (narrow.addEventListener) { narrow.addEventListener("change", place); }
})();
