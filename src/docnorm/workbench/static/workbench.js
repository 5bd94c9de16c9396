// docnorm review workbench: evidence boxes, click-to-evidence, fill from a selection, live checks, keys.
(function () {
  "use strict";
  // Boxes are placed from data attributes (the Content-Security-Policy allows no inline styles).
  document.querySelectorAll(".box").forEach(function (box) {
    ["left", "top", "width", "height"].forEach(function (side) {
      box.style[side] = box.dataset[side] + "%";
    });
  });

  // A filter applies as soon as it is chosen.
  document.querySelectorAll(".filters select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  var item = document.querySelector(".item");
  if (!item) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "n" && !typing(event)) {
        var start = document.getElementById("start");
        if (start) { start.click(); }
      }
    });
    return;
  }
  var csrf = item.dataset.csrf;
  var current = null;

  function typing(event) {
    var tag = (event.target && event.target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function show(mark) {
    document.querySelectorAll(".box.active, mark.active").forEach(function (el) { el.classList.remove("active"); });
    var marks = document.querySelectorAll('[data-mark="' + mark + '"].box, mark[data-mark="' + mark + '"]');
    marks.forEach(function (el) { el.classList.add("active"); });
    if (marks.length) { marks[0].scrollIntoView({ block: "center" }); }
  }

  document.querySelectorAll("tr[data-path]").forEach(function (row) {
    row.addEventListener("click", function () {
      current = row;
      document.querySelectorAll("tr.current").forEach(function (r) { r.classList.remove("current"); });
      row.classList.add("current");
      if (row.dataset.mark !== undefined) { show(row.dataset.mark); }
    });
  });

  // Selecting text in the document fills the chosen field's value with it.
  var pane = document.getElementById("document");
  pane.addEventListener("mouseup", function () {
    var picked = String(window.getSelection() || "").trim();
    if (!picked || !current) { return; }
    var input = current.querySelector("input[name^='set.']");
    var quote = current.querySelector("input[name^='quote.']");
    if (input && !input.disabled) {
      input.value = picked;
      if (quote) { quote.value = picked; }
      var shown = current.querySelector(".quote");
      if (shown) { shown.textContent = picked; }
      input.dispatchEvent(new Event("input"));
    }
  });

  // The same checks as `review correct`, as you edit: problems are shown, nothing is saved.
  var form = document.getElementById("record");
  var problems = document.getElementById("problems");
  var pending = null;
  function changes() {
    var out = {};
    if (!form) { return out; }
    form.querySelectorAll("input[name^='set.']").forEach(function (input) {
      var path = input.name.slice(4);
      var was = form.querySelector("input[name='was." + CSS.escape(path) + "']");
      if (was && was.value !== input.value) { out[path] = input.value; }
    });
    return out;
  }
  function check() {
    var wanted = changes();
    if (!Object.keys(wanted).length) { problems.textContent = ""; return; }
    fetch("/api/items/" + item.dataset.item + "/check", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ changes: wanted })
    }).then(function (r) { return r.json(); }).then(function (answer) {
      var list = answer.problems || [];
      problems.textContent = list.length ? "Would fail: " + list.join("; ") : "All checks pass.";
      problems.className = "problems " + (list.length ? "bad" : "good");
      document.getElementById("correct").disabled = list.length > 0;
    });
  }
  if (form) {
    form.addEventListener("input", function () { clearTimeout(pending); pending = setTimeout(check, 250); });
  }

  document.addEventListener("keydown", function (event) {
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var click = function (id) { var el = document.getElementById(id); if (el && !el.disabled) { el.click(); } };
    if (event.key === "j") { click("next"); }
    else if (event.key === "k") { history.back(); }
    else if (event.key === "a") { click("approve"); }
    else if (event.key === "r") { var note = document.getElementById("note"); if (note) { event.preventDefault(); note.focus(); } }
    else if (event.key === "e") {
      var first = form && form.querySelector("input[name^='set.']:not([disabled])");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
})();
