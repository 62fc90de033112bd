// Small progressive enhancements. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    const el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      el.form.submit();
    }
  });

  // A long <select> (the time zones) gets a search box above it: typing keeps the
  // matching options (any part of the name), the groups stay. Without JavaScript the
  // select works as it is, and typing a city's first letters still jumps to it.
  function makeFilterable(select) {
    const all = Array.from(select.querySelectorAll("option")).map(function (option) {
      const group = option.parentElement.tagName === "OPTGROUP" ? option.parentElement.label : "";
      return { value: option.value, text: option.textContent, group: group };
    });
    const search = document.createElement("input");
    search.type = "search";
    search.id = select.id + "-search";
    search.className = "select-filter";
    search.autocomplete = "off";
    search.setAttribute("aria-controls", select.id);
    const label = document.createElement("label");
    label.htmlFor = search.id;
    label.textContent = select.dataset.filterLabel || "Search";
    label.className = "select-filter-label";
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(search, select);
    search.addEventListener("input", function () {
      const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      const current = select.value;
      select.textContent = "";
      const groups = {};
      all.forEach(function (entry) {
        const haystack = (entry.text + " " + entry.value).toLowerCase().replace(/_/g, " ");
        const match = words.every(function (w) { return haystack.indexOf(w) !== -1; });
        if (!match && entry.value !== current) { return; }
        let parent = select;
        if (entry.group) {
          parent = groups[entry.group];
          if (!parent) {
            parent = groups[entry.group] = document.createElement("optgroup");
            parent.label = entry.group;
            select.appendChild(parent);
          }
        }
        const option = new Option(entry.text, entry.value, false, entry.value === current);
        parent.appendChild(option);
      });
    });
  }

  // The time zone the device uses, offered when it differs from the chosen one.
  function offerDeviceZone(hint) {
    const select = document.getElementById(hint.dataset.for);
    let zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    if (!select || !zone || select.value === zone) { return; }
    const option = Array.from(select.options).find(function (o) { return o.value === zone; });
    if (!option) { return; }
    const text = hint.querySelector("[data-device-zone-text]");
    text.textContent = text.dataset.template.replace("{zone}", option.textContent);
    hint.hidden = false;
    hint.querySelector("button").addEventListener("click", function () {
      const search = document.getElementById(select.id + "-search");
      if (search && search.value) { search.value = ""; search.dispatchEvent(new Event("input")); }
      select.value = zone;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      hint.hidden = true;
      select.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      const button = el.form && el.form.querySelector("button[type=submit]");
      // Hidden for everyone (not only visually): no Tab stop that shows nothing.
      if (button) { button.hidden = true; }
    });
    document.querySelectorAll("select[data-filterable]").forEach(makeFilterable);
    document.querySelectorAll("[data-device-zone]").forEach(offerDeviceZone);
    const summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  });
})();
