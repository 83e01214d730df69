"use strict";
// The admin's autocomplete boxes (select2) draw their own combobox and search field
// with no accessible name, so a screen reader announced "combobox" and nothing else
// (axe: aria-input-field-name, label). Each gets the name of the field it stands for:
// its <label>, or the name an inline table row's input was given (aria-label).
(function () {
  function labelFor(select) {
    return select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
  }

  function name(select) {
    var label = labelFor(select);
    var text = label ? label.textContent : select.getAttribute("aria-label") || "";
    return text.replace(/:\s*$/, "").trim();
  }

  function nameBoxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var box = select.nextElementSibling;
      if (!box || !box.classList.contains("select2")) {
        return;
      }
      var label = labelFor(select);
      box.querySelectorAll(".select2-selection").forEach(function (combobox) {
        var shown = combobox.querySelector(".select2-selection__rendered");
        if (label && shown && shown.id) {
          // The field's name, then what is chosen.
          label.id = label.id || select.id + "-label";
          var ids = label.id + " " + shown.id;
          if (combobox.getAttribute("aria-labelledby") !== ids) {
            combobox.setAttribute("aria-labelledby", ids);
          }
        } else if (combobox.getAttribute("aria-label") !== name(select)) {
          combobox.removeAttribute("aria-labelledby");
          combobox.setAttribute("aria-label", name(select));
        }
      });
      // What is chosen is drawn as a nameless read-only text box inside the combobox,
      // whose name already reads it out: it is text, not a second field.
      box.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach(function (shown) {
        shown.setAttribute("role", "presentation");
        shown.removeAttribute("aria-readonly");
      });
      box.querySelectorAll(".select2-search__field").forEach(function (field) {
        if (field.getAttribute("aria-label") !== name(select)) {
          field.setAttribute("aria-label", name(select));
        }
      });
      // The chosen items and the search field sit in one list: not a list to read.
      box.querySelectorAll("ul.select2-selection__rendered").forEach(function (list) {
        if (list.getAttribute("role") !== "presentation") {
          list.setAttribute("role", "presentation");
        }
      });
    });
  }

  new MutationObserver(nameBoxes).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
})();
