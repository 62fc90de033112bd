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

  // In the click (a user gesture): copy the text for link-only networks, and open the
  // window the share page will load in, so pop-up blockers let it through.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches || !form.matches("[data-share-form]")) { return; }
    const network = form.dataset.network;
    const text = form.querySelector("textarea[name=text]");
    if (form.hasAttribute("data-link-only") && text) {
      copyText(text.value).catch(function () {});
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
    if (network === "native" && navigator.share) {
      navigator.share({
        title: result.dataset.shareTitle,
        text: result.dataset.shareText,
        url: result.dataset.shareUrl,
      }).catch(function () { showCopyButton(result); });
    }
    const heading = result.querySelector(".share-logged-title");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: false }); }
  });

  // If the request fails, do not leave an empty window behind.
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
    }
    document.querySelectorAll("[data-share-result]").forEach(showCopyButton);
  });
})();
