// Share buttons: progressive enhancement over plain forms (which work without JavaScript:
// POST, then a redirect to the network). With htmx the press is logged in place and this
// script opens the network's share page from the response.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  let pendingWindow = null;

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      const ok = document.execCommand && document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function showCopyButton(result) {
    const button = result.querySelector("[data-copy-button]");
    const source = result.querySelector("[data-copy-source]");
    if (!button || !source) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      source.select();
      copyText(source.value).then(function () {
        const state = result.querySelector("[data-copy-state]");
        if (state) { state.textContent = state.dataset.copied || ""; }
      }).catch(function () { source.select(); });
    });
  }

  // --- Live character counter: mirrors ambassadors/intents.py (keep the two in step) ---
  // X weighs like twitter-text v3: links 23, emoji 2, these code point ranges 1, others 2.
  const X_LIGHT = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
  const URL_RE = /https?:\/\/[^\s<>"\u2026]+/gi;
  // Bare domains X also turns into links (example.com, www.example.nl/path).
  const BARE_RE = /(^|[\s(])((?:www\.)?(?:[a-z0-9-]+\.)+(?:com|org|net|nl|be|de|eu|io|co|uk|fr|info|app|dev)(?:\/[^\s<>"\u2026]*)?)(?=$|[\s).,!?;:])/gi;
  const segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

  function clusters(text) {
    if (segmenter) { return Array.from(segmenter.segment(text), function (s) { return s.segment; }); }
    return Array.from(text);
  }
  function codePoints(text) { return Array.from(text).length; }
  function xWeight(text) {
    let links = 0;
    text = text.replace(URL_RE, function () { links += 1; return ""; });
    text = text.replace(BARE_RE, function (m, lead) { links += 1; return lead; });
    let total = links * 23;
    clusters(text).forEach(function (cluster) {
      if (/\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(cluster)) { total += 2; return; }
      Array.from(cluster).forEach(function (ch) {
        const code = ch.codePointAt(0);
        total += X_LIGHT.some(function (r) { return code >= r[0] && code <= r[1]; }) ? 1 : 2;
      });
    });
    return total;
  }
  function postLength(network, text) {
    text = text.normalize("NFC").trim();
    if (network === "x") { return xWeight(text); }
    if (network === "bluesky") { return clusters(text).length; }
    if (network === "mastodon") { return codePoints(text.replace(URL_RE, "x".repeat(23))); }
    return codePoints(text);
  }

  // The disclosure line ("#employee") goes after the text unless the text holds it already:
  // mirrors intents.add_disclosure (the server adds it to whatever is sent).
  function withDisclosure(text, line) {
    text = (text || "").trim();
    line = (line || "").trim();
    if (!line || text.indexOf(line) !== -1) { return text; }
    return text ? text + "\n\n" + line : line;
  }
  function showDisclosure(area) {
    const line = area.parentNode.querySelector("[data-disclosure-line]");
    const own = (area.dataset.disclosure || "").trim();
    if (line) { line.hidden = !own || area.value.indexOf(own) !== -1; }
  }

  function updateCounter(area) {
    const counter = document.getElementById(area.getAttribute("aria-describedby"));
    if (!counter) { return; }
    const limit = parseInt(area.dataset.limit, 10);
    const text = withDisclosure(area.value, area.dataset.disclosure);
    const used = text ? postLength(area.dataset.count, text) + parseInt(area.dataset.linkLength, 10) : parseInt(area.dataset.linkLength, 10);
    const over = used > limit;
    const template = over ? counter.dataset.over : counter.dataset.template;
    counter.textContent = template.replace("{used}", used.toLocaleString(document.documentElement.lang || undefined));
    counter.classList.toggle("is-over", over);
    // Screen readers hear the change when the text crosses the limit, not on every key.
    if (counter.dataset.wasOver !== String(over)) {
      counter.setAttribute("aria-live", counter.dataset.wasOver === undefined ? "off" : "polite");
      counter.dataset.wasOver = String(over);
    }
  }
  document.addEventListener("input", function (event) {
    const area = event.target;
    if (area.matches && area.matches("textarea[data-count]")) { updateCounter(area); }
    if (area.matches && area.matches("textarea[data-disclosure]")) { showDisclosure(area); }
  });

  // --- The phone's share sheet: share first, log only what the sheet says was shared ---
  let pictureFile = null;

  function preparePicture(form) {
    const url = form.dataset.imageUrl;
    const box = form.querySelector("[data-share-picture]");
    if (!url || !box || !navigator.canShare || !window.File) { return; }
    // Fetched ahead of the tap: the sheet must open inside the tap itself.
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error("no picture"); }
      return response.blob();
    }).then(function (blob) {
      const name = url.split("/").pop().split("?")[0] || "picture";
      const file = new File([blob], name, { type: blob.type });
      if (navigator.canShare({ files: [file] })) {
        pictureFile = file;
        box.hidden = false;
      }
    }).catch(function () {});
  }

  function logNativeShare(form, text) {
    const target = document.getElementById("share-result");
    if (window.htmx && target) {
      window.htmx.ajax("POST", form.action, { target: target, values: { text: text }, source: form });
      return;
    }
    const field = form.querySelector("textarea[name=text]");
    if (field) { field.value = text; }
    form.submit();
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches || !form.matches("[data-native-form]")) { return; }
    event.preventDefault();
    const area = form.querySelector("textarea[name=text]");
    const text = area ? withDisclosure(area.value, area.dataset.disclosure) : "";
    const link = form.dataset.shareUrl;
    const data = { title: form.dataset.shareTitle, text: text ? text + "\n\n" + link : link };
    const picture = form.querySelector("#share-picture");
    if (pictureFile && picture && picture.checked) {
      const withFile = { title: data.title, text: data.text, files: [pictureFile] };
      if (navigator.canShare && navigator.canShare(withFile)) { data.files = withFile.files; }
    }
    if (!data.files) { data.url = link; data.text = text; }
    const error = form.querySelector("[data-native-error]");
    if (error) { error.hidden = true; }
    navigator.share(data).then(function () {
      logNativeShare(form, text);
    }).catch(function (reason) {
      // Cancelled (AbortError) or refused: nothing was shared, so nothing is logged.
      if (error && (!reason || reason.name !== "AbortError")) { error.hidden = false; }
    });
  }, true);

  // In the click (a user gesture): copy the text for networks that may drop it, and open
  // the window the share page will load in, so pop-up blockers let it through.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches || !form.matches("[data-share-form]")) { return; }
    const network = form.dataset.network;
    const text = form.querySelector("textarea[name=text]");
    if (form.hasAttribute("data-copy-first") && text) {
      copyText(withDisclosure(text.value, text.dataset.disclosure)).catch(function () {});
    }
    pendingWindow = null;
    if (network !== "copy" && network !== "native" && network !== "email" && window.htmx) {
      pendingWindow = window.open("", "_blank");
    }
  }, true);

  document.addEventListener("htmx:afterSwap", function (event) {
    const result = event.detail.target && event.detail.target.querySelector
      ? event.detail.target.querySelector("[data-share-result][data-network]")
      : null;
    const win = pendingWindow;
    pendingWindow = null;
    if (!result) {
      if (win && !win.closed) { win.close(); }
      return;
    }
    const network = result.dataset.network;
    const intent = result.dataset.intentUrl;
    if (intent && network === "email") {
      window.location.href = intent;
    } else if (intent) {
      if (win && !win.closed) {
        win.opener = null;
        win.location.href = intent;
      } else {
        window.open(intent, "_blank", "noopener");
      }
    } else if (win && !win.closed) {
      win.close();
    }
    if (network === "copy") {
      const source = result.querySelector("[data-copy-source]");
      showCopyButton(result);
      if (source) {
        copyText(source.value).then(function () {
          const state = result.querySelector("[data-copy-state]");
          if (state) { state.textContent = state.dataset.copied || ""; }
          source.select();
        }).catch(function () { source.select(); });
      }
    }
    const heading = result.querySelector(".share-logged-title");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: false }); }
  });

  // If the request fails or redirects (new guidelines to accept), do not leave an empty
  // window behind.
  document.addEventListener("htmx:afterRequest", function (event) {
    const xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Redirect") && pendingWindow && !pendingWindow.closed) {
      pendingWindow.close();
      pendingWindow = null;
    }
  });
  document.addEventListener("htmx:responseError", function () {
    if (pendingWindow && !pendingWindow.closed) { pendingWindow.close(); }
    pendingWindow = null;
  });
  document.addEventListener("htmx:sendError", function () {
    if (pendingWindow && !pendingWindow.closed) { pendingWindow.close(); }
    pendingWindow = null;
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (navigator.share) {
      document.querySelectorAll("[data-native-share]").forEach(function (el) { el.hidden = false; });
      document.querySelectorAll("[data-native-form]").forEach(preparePicture);
    }
    document.querySelectorAll("textarea[data-count]").forEach(updateCounter);
    document.querySelectorAll("textarea[data-disclosure]").forEach(showDisclosure);
    document.querySelectorAll("[data-share-result]").forEach(showCopyButton);
  });
})();
