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

  // Forms marked data-swap-errors show the page's answer to a refused or invalid post (400,
  // 409) in place, as the full page would: what was typed comes back with the message.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    var status = event.detail.xhr && event.detail.xhr.status;
    if (elt && elt.closest && elt.closest("[data-swap-errors]") && (status === 400 || status === 409)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // After a data-keeps-version form changes the claim in place, the page's other forms carry
  // the claim's new version, but only when nobody else changed it in between (exactly one
  // step newer than what this page knew); otherwise they keep the old one and get the conflict.
  var knownVersion = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    var input = form && form.matches && form.matches("[data-keeps-version]") && form.querySelector("input[name='version']");
    knownVersion = input ? parseInt(input.value, 10) : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (knownVersion === null) return;
    var form = document.querySelector("form[data-keeps-version]");
    var input = form && form.querySelector("input[name='version']");
    var now = input ? parseInt(input.value, 10) : NaN;
    if (now === knownVersion + 1) {
      document.querySelectorAll("input[name='version']").forEach(function (other) {
        if (parseInt(other.value, 10) === knownVersion) other.value = String(now);
      });
    }
    knownVersion = null;
    var first = form && form.querySelector("input[type='url']");
    if (first && form.closest("details[open]")) first.focus();
  });

  // A finished progress fragment (answered with htmx's "stop polling") carries the link to the
  // result: follow it once. Polling has already stopped, so a slow page cannot start a loop.
  document.addEventListener("htmx:load", function (event) {
    var target = event.target;
    if (!target || !target.querySelector) return;
    var link = target.matches("[data-follow-once]") ? target : target.querySelector("[data-follow-once]");
    if (link && !link.dataset.followed) {
      link.dataset.followed = "1";
      var url = new URL(link.href, window.location.href);
      if (url.pathname === window.location.pathname && url.search === window.location.search) {
        // The same page with an anchor would only scroll: load it again, once.
        window.location.hash = url.hash;
        window.location.reload();
      } else {
        window.location.assign(url.href);
      }
    }
  });
})();
