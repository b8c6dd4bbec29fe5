// Akhbar corpus browser: layer toggles, and details of events and quotes on hover or click.
// Everything else (the text, the spans, the colours) is static HTML generated at build time.
(function () {
  "use strict";

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  function ar(s) {
    return '<span dir="rtl" lang="ar">' + esc(s) + "</span>";
  }

  function ids(el, attr) {
    return (el.getAttribute(attr) || "").split(" ").filter(Boolean);
  }

  function init(root) {
    var data = JSON.parse(root.querySelector("script.ab-data").textContent);
    var article = root.querySelector(".ab-article");
    var tip = root.querySelector(".ab-tip");
    var pinned = null;

    root.querySelectorAll("input.ab-toggle").forEach(function (box) {
      box.addEventListener("change", function () {
        root.classList.toggle("ab-hide-" + box.value, !box.checked);
      });
    });

    function clear() {
      article.querySelectorAll(".ab-on").forEach(function (el) {
        el.classList.remove("ab-on");
        el.removeAttribute("data-role-shown");
      });
      tip.hidden = true;
    }

    function light(els, role) {
      els.forEach(function (el) {
        el.classList.add("ab-on");
        if (role) el.setAttribute("data-role-shown", role);
      });
    }

    function place(el) {
      var r = el.getBoundingClientRect();
      var box = root.getBoundingClientRect();
      tip.hidden = false;
      var left = Math.min(Math.max(r.right - box.left - tip.offsetWidth, 0), box.width - tip.offsetWidth);
      tip.style.left = Math.max(left, 0) + "px";
      tip.style.top = r.bottom - box.top + 6 + "px";
    }

    function showEvent(id, el) {
      var ev = data.events[id];
      light(article.querySelectorAll('.ab-trg[data-ev~="' + id + '"]'));
      var rows = ev.args.map(function (a, i) {
        var targets = a.entity
          ? article.querySelectorAll('.ab-ent[data-id="' + a.entity + '"]:not([data-cont])')
          : article.querySelectorAll('.ab-argspan[data-arg~="' + id + ":" + i + '"]');
        light(targets, a.role);
        return "<tr><th>" + esc(a.role) + "</th><td>" + ar(a.text) + (a.type ? " (" + esc(a.type) + ")" : "") + "</td></tr>";
      });
      tip.innerHTML = "<strong>" + esc(ev.type) + "</strong> · " + esc(ev.realis) + " · " + esc(id) +
        "<br>trigger: " + ar(ev.trigger) +
        (rows.length ? "<table>" + rows.join("") + "</table>" : "<br>no arguments");
      place(el);
    }

    function showQuote(id, el) {
      var q = data.quotes[id];
      light(article.querySelectorAll('[data-q~="' + id + '"]'));
      if (q.source && q.source.entity) light(article.querySelectorAll('.ab-ent[data-id="' + q.source.entity + '"]'), "source");
      tip.innerHTML = "<strong>" + esc(q.type) + " quote</strong> · " + esc(id) + "<table>" +
        "<tr><th>source</th><td>" + (q.source ? ar(q.source.text) : "none") + "</td></tr>" +
        "<tr><th>cue</th><td>" + (q.cue ? ar(q.cue) : "none") + "</td></tr>" +
        "<tr><th>content</th><td>" + q.content.map(ar).join(" … ") + "</td></tr></table>";
      place(el);
    }

    function show(el) {
      clear();
      var ev = el.closest("[data-ev]");
      var q = el.closest("[data-q]");
      if (ev && !root.classList.contains("ab-hide-events")) showEvent(ids(ev, "data-ev")[0], ev);
      else if (q && !root.classList.contains("ab-hide-quotes")) showQuote(ids(q, "data-q")[0], q);
      else {
        var ent = el.closest(".ab-ent[data-cluster]");
        if (ent && !root.classList.contains("ab-hide-entities")) {
          light(article.querySelectorAll('.ab-ent[data-cluster="' + ent.getAttribute("data-cluster") + '"]'));
        }
      }
    }

    article.addEventListener("mouseover", function (e) {
      if (!pinned) show(e.target);
    });
    article.addEventListener("mouseleave", function () {
      if (!pinned) clear();
    });
    article.addEventListener("click", function (e) {
      var hit = e.target.closest("[data-ev],[data-q]");
      pinned = hit && hit !== pinned ? hit : null;
      if (pinned) show(pinned);
      else clear();
    });
  }

  function start() {
    document.querySelectorAll(".ab-browser").forEach(init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
