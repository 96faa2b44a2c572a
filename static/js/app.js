// Keyboard shortcuts and small conveniences. Everything also works without this file.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-row]"));
  }

  function select(index) {
    var all = rows();
    if (!all.length) return;
    index = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row) { row.classList.remove("is-current"); });
    var row = all[index];
    row.classList.add("is-current");
    var link = row.querySelector("[data-row-link]") || row.querySelector("a");
    if (link) link.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function currentIndex() {
    var all = rows();
    var active = document.activeElement;
    for (var i = 0; i < all.length; i++) {
      if (all[i].classList.contains("is-current") || all[i].contains(active)) return i;
    }
    return -1;
  }

  function showShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var key = event.key;
    if (key === "j") { select(currentIndex() + 1); event.preventDefault(); }
    else if (key === "k") { select(currentIndex() - 1); event.preventDefault(); }
    else if (key === "/") {
      var search = document.querySelector("[data-shortcut='/']");
      if (search) { search.focus(); search.select(); event.preventDefault(); }
    } else if (key === "e") {
      var evidence = document.querySelector("[data-shortcut='e']");
      if (evidence) {
        var details = evidence.closest("details");
        if (details) details.open = true;
        evidence.scrollIntoView({ block: "center" });
        evidence.focus();
        event.preventDefault();
      }
    } else if (key === "?") { showShortcuts(); event.preventDefault(); }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-show-shortcuts]")) showShortcuts();
    var all = event.target.closest("[data-select-all]");
    if (all) {
      var box = all;
      document.querySelectorAll("input[name='claims'][type='checkbox']").forEach(function (c) {
        c.checked = box.checked;
      });
      updateSelected();
    }
  });

  function updateSelected() {
    var out = document.querySelector("[data-selected-count]");
    if (!out) return;
    var n = document.querySelectorAll("input[name='claims'][type='checkbox']:checked").length;
    out.textContent = n === 1 ? "1 claim selected" : n + " claims selected";
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[name='claims']")) updateSelected();
  });
  document.addEventListener("DOMContentLoaded", updateSelected);

  // A finished progress fragment (answered with htmx's "stop polling") carries the link to the
  // result: follow it once. Polling has already stopped, so a slow page cannot start a loop.
  document.addEventListener("htmx:load", function (event) {
    var target = event.target;
    if (!target || !target.querySelector) return;
    var link = target.matches("[data-follow-once]") ? target : target.querySelector("[data-follow-once]");
    if (link && !link.dataset.followed) {
      link.dataset.followed = "1";
      window.location.assign(link.href);
    }
  });
})();
