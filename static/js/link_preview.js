// Link preview in the studio item form: "Use this title / summary / picture" fill the form.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-use-preview]");
    if (!button) return;
    var form = button.closest("form");
    if (!form) return;
    var name = button.getAttribute("data-use-preview");
    var value = button.getAttribute("data-value") || "";
    var field = form.querySelector('[name="' + name + '"]');
    if (!field) return;
    if (name === "body" && field.value.trim()) {
      field.value = value + "\n\n" + field.value;
    } else {
      field.value = value;
    }
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
    var done = button.getAttribute("data-done");
    if (done) {
      var note = document.createElement("p");
      note.className = "helptext link-preview-chosen";
      note.textContent = done;
      button.closest("[data-link-preview]").appendChild(note);
    }
    button.setAttribute("aria-pressed", "true");
  });
})();
