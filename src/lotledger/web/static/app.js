// lotledger's one script: small helps for keyboard-wedge scanners. Every page works without it.
"use strict";

// A scanner sends GS1's group separator (ASCII 29) as Ctrl+]; a browser would drop it.
// In a scan field it is kept, so variable-length fields (lot, serial) end where they should.
document.addEventListener("keydown", function (event) {
  var field = event.target;
  if (!(field instanceof HTMLInputElement) || !field.hasAttribute("data-scan")) return;
  if (event.ctrlKey && (event.key === "]" || event.code === "BracketRight")) {
    event.preventDefault();
    var start = field.selectionStart || 0, end = field.selectionEnd || 0;
    field.value = field.value.slice(0, start) + "\u001d" + field.value.slice(end);
    field.selectionStart = field.selectionEnd = start + 1;
  }
});

// Buttons that undo or stop something ask first (data-confirm="..."), without an inline script.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var question = button && button.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
