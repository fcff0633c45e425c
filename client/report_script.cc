// The HTML dashboard's page script; see report_script.h.
#include "client/report_script.h"

namespace riskcap::client {

const char kDashboardScript[] = R"js(
(function() {
"use strict";
var D = JSON.parse(document.getElementById("dashboard-data").textContent);
var WARNING_FRACTION = 0.8;  // the server's default warning level, as a fraction of the cap
var FILTERS = ["cls", "exp", "deadline", "validation", "limit", "manager"];
var GOOD = {ON_TIME: 1, RECEIVED_VALIDATED: 1, WITHIN_LIMIT: 1};
var FAIR = {RECEIVED_NOT_VALIDATED: 1, WARNING: 1};
var POOR = {OVERDUE: 1, NEVER_SUBMITTED: 1, NOT_RECEIVED: 1, BREACH: 1, CRITICAL: 1};

function esc(s) {
  return String(s).replace(/[&<>"']/g, function(c) {
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
  });
}
function label(code) { return code ? (D.labels[code] || code) : "—"; }
function pct(f) { return f === null || f === undefined ? "—" : (f * 100).toFixed(1) + "%"; }
function or(s) { return s ? esc(s) : "—"; }
function badge(code) {
  var css = GOOD[code] ? "ok" : FAIR[code] ? "warn" : POOR[code] ? "bad" : "na";
  return "<span class=\"badge " + css + "\">" + esc(label(code)) + "</span>";
}

// Exact decimal strings compared digit by digit ("-12.5" < "3" < "10.01"), never as doubles.
function decParts(s) {
  var neg = s.charAt(0) === "-";
  if (neg) s = s.slice(1);
  var dot = s.indexOf(".");
  var w = (dot < 0 ? s : s.slice(0, dot)).replace(/^0+/, "");
  var f = dot < 0 ? "" : s.slice(dot + 1).replace(/0+$/, "");
  return {neg: neg && (w !== "" || f !== ""), w: w, f: f};
}
function decCmp(a, b) {
  var x = decParts(a), y = decParts(b);
  if (x.neg !== y.neg) return x.neg ? -1 : 1;
  var c = x.w.length - y.w.length || (x.w < y.w ? -1 : x.w > y.w ? 1 : 0);
  if (!c) {
    var n = Math.max(x.f.length, y.f.length), xf = x.f.padEnd(n, "0"), yf = y.f.padEnd(n, "0");
    c = xf < yf ? -1 : xf > yf ? 1 : 0;
  }
  c = c < 0 ? -1 : c > 0 ? 1 : 0;
  return x.neg ? -c : c;
}
function textCmp(a, b) { return a.localeCompare(b, "en", {sensitivity: "base", numeric: true}); }

// ---- filters ----
var controls = {};
FILTERS.forEach(function(key) {
  var select = document.getElementById("f-" + key), counts = {};
  D.rows.forEach(function(r) { counts[r[key]] = (counts[r[key]] || 0) + 1; });
  var keys = Object.keys(counts).filter(function(k) { return k !== ""; });
  var name = function(k) { return key === "manager" ? k : label(k); };
  keys.sort(function(a, b) { return textCmp(name(a), name(b)); });
  keys.forEach(function(k) {
    var o = document.createElement("option");
    o.value = k;
    o.textContent = name(k) + " (" + counts[k] + ")";
    select.appendChild(o);
  });
  select.addEventListener("change", redraw);
  controls[key] = select;
});
var search = document.getElementById("f-search");
search.addEventListener("input", redraw);
document.getElementById("f-clear").addEventListener("click", function() {
  FILTERS.forEach(function(k) { controls[k].value = ""; });
  search.value = "";
  redraw();
});

function filtered() {
  var q = search.value.trim().toLowerCase();
  return D.rows.filter(function(r) {
    for (var i = 0; i < FILTERS.length; ++i) {
      var v = controls[FILTERS[i]].value;
      if (v !== "" && r[FILTERS[i]] !== v) return false;
    }
    return !q || r.name.toLowerCase().indexOf(q) >= 0 || String(r.id) === q.replace(/^#/, "");
  });
}

// ---- tiles ----
function tile(name, value, sub) {
  return "<div class=\"tile\"><div class=\"name\">" + esc(name) + "</div><div class=\"num\">" +
      esc(value) + "</div><div class=\"sub\">" + esc(sub) + "</div></div>";
}
function count(rows, key, values) {
  return rows.filter(function(r) { return values.indexOf(r[key]) >= 0; }).length;
}
function drawTiles(rows) {
  var n = rows.length, validated = count(rows, "validation", ["RECEIVED_VALIDATED"]);
  var received = validated + count(rows, "validation", ["RECEIVED_NOT_VALIDATED"]);
  document.getElementById("tiles").innerHTML =
      tile("Validation rate", n ? pct(validated / n) : "—", validated + " validated") +
      tile("Funds monitored", String(n), "exposed OTC or offshore") +
      tile("Received", String(received), count(rows, "deadline", ["OVERDUE"]) + " overdue") +
      tile("Pending", String(count(rows, "validation", ["NOT_RECEIVED"])), "not received") +
      // As `riskcap status --summary` and docs/kpis.md count them: BREACH alone; CRITICAL (a
      // NAV <= 0 fund) apart, beside the warnings.
      tile("Limit breaches", String(count(rows, "limit", ["BREACH"])),
           count(rows, "limit", ["CRITICAL"]) + " critical (NAV <= 0), " +
           count(rows, "limit", ["WARNING"]) + " in warning");
}

// ---- charts ----
function svg(width, height, label, body) {
  return "<svg class=\"chart\" viewBox=\"0 0 " + width + " " + height +
      "\" width=\"" + width + "\" height=\"" + height + "\" role=\"img\" aria-label=\"" +
      esc(label) + "\">" + body + "</svg>";
}
function text(x, y, s, attrs) {
  return "<text x=\"" + x.toFixed(1) + "\" y=\"" + y.toFixed(1) + "\" " + (attrs || "") + ">" +
      esc(s) + "</text>";
}
function drawClasses(rows) {
  var counts = {};
  rows.forEach(function(r) { counts[r.cls] = (counts[r.cls] || 0) + 1; });
  var bars = Object.keys(counts).sort(function(a, b) {
    return counts[b] - counts[a] || textCmp(label(a), label(b));
  });
  // Each bar gets a slot wide enough for its label; a wider chart scales down (max-width).
  var width = Math.max(420, 100 * bars.length), slot = width / Math.max(1, bars.length);
  var barW = Math.min(80, slot * 0.7), max = 1, body = "";
  bars.forEach(function(c) { max = Math.max(max, counts[c]); });
  bars.forEach(function(c, i) {
    var h = 160 * counts[c] / max, x = slot * i + (slot - barW) / 2;
    body += "<rect x=\"" + x.toFixed(1) + "\" y=\"" + (200 - h).toFixed(1) + "\" width=\"" +
        barW.toFixed(0) + "\" height=\"" + h.toFixed(1) + "\" fill=\"#0b2265\"/>" +
        text(x + barW / 2, 194 - h, String(counts[c]), "class=\"val\" text-anchor=\"middle\"") +
        text(x + barW / 2, 220, label(c), "class=\"lbl\" text-anchor=\"middle\"");
  });
  if (!bars.length) body = text(20, 120, "No fund matches the filters.", "class=\"lbl\"");
  document.getElementById("chart-class").innerHTML =
      svg(width, 240, "Funds per regulatory class", body);
}
function drawExposure(rows) {
  var otc = count(rows, "exp", ["OTC"]), off = count(rows, "exp", ["OFFSHORE"]);
  var total = otc + off, r = 70, c = 2 * Math.PI * r, share = total ? otc / total : 0;
  var body = "<circle cx=\"100\" cy=\"100\" r=\"70\" fill=\"none\" stroke=\"" +
      (total ? "#0b2265" : "#ddd") + "\" stroke-width=\"34\"/>" +
      "<circle cx=\"100\" cy=\"100\" r=\"70\" fill=\"none\" stroke=\"#a3a8dc\" " +
      "stroke-width=\"34\" stroke-dasharray=\"" + (share * c).toFixed(2) + " " + c.toFixed(2) +
      "\" transform=\"rotate(-90 100 100)\"/>" +
      text(100, 106, total + " funds", "class=\"val\" text-anchor=\"middle\"");
  [["#a3a8dc", "OTC", otc, 80], ["#0b2265", "Offshore", off, 110]].forEach(function(l) {
    body += "<rect x=\"215\" y=\"" + (l[3] - 12) + "\" width=\"14\" height=\"14\" fill=\"" +
        l[0] + "\"/>" + text(236, l[3], l[1] + ": " + l[2] + " (" +
        (total ? pct(l[2] / total) : "—") + ")", "class=\"lbl\"");
  });
  document.getElementById("chart-exposure").innerHTML = svg(380, 200, "Exposure split", body);
}
// An axis from 0 past max in steps of 1, 2, 2.5 or 5 times a power of ten, at most 8 steps.
function niceAxis(max) {
  if (!(max > 0)) return {top: 1, step: 0.25};
  var power = Math.pow(10, Math.floor(Math.log10(max / 8))), step = 10 * power;
  var ms = [1, 2, 2.5, 5];
  for (var i = 0; i < ms.length; ++i) {
    if (ms[i] * power * 8 >= max) { step = ms[i] * power; break; }
  }
  return {top: Math.ceil(max / step - 1e-9) * step, step: step};
}
// The server's limit status decides the colour, so bar and badge always agree.
function utilColour(r) {
  return POOR[r.limit] ? "#c62828" : FAIR[r.limit] ? "#e6a100" : "#2e9e5b";
}
function drawUtilisation(rows) {
  // Only funds with a cap are judged against one: without a cap the utilisation is N/A.
  var capped = rows.filter(function(r) { return r.cap !== null && r.util !== null; });
  capped.sort(function(a, b) { return b.util - a.util || a.id - b.id; });
  var top = capped.slice(0, 10), noCap = rows.filter(function(r) { return r.cap === null; });
  var noUtil = rows.filter(function(r) { return r.cap !== null && r.util === null; });
  var x0 = 270, plotW = 760, rowH = 26, y0 = 44, max = 0;
  top.forEach(function(r) { max = Math.max(max, r.util, r.cap); });
  var axis = niceAxis(max * 1.05), height = y0 + rowH * top.length + 40;
  var xOf = function(f) { return x0 + plotW * Math.min(Math.max(f / axis.top, 0), 1); };
  // The legend names every colour and both markers, so no line is left to guess.
  var body = text(x0 - 8, 18, "utilisation (gross margin / NAV):", "class=\"lbl\" " +
                  "text-anchor=\"end\"");
  [["#2e9e5b", "within limit", 0], ["#e6a100", "warning", 110], ["#c62828", "breach", 200]]
      .forEach(function(l) {
        body += "<rect x=\"" + (x0 + l[2]) + "\" y=\"8\" width=\"14\" height=\"12\" " +
            "fill=\"" + l[0] + "\"/>" + text(x0 + l[2] + 20, 18, l[1], "class=\"lbl\"");
      });
  body += "<line x1=\"" + (x0 + 290) + "\" x2=\"" + (x0 + 290) + "\" y1=\"6\" y2=\"22\" " +
      "stroke=\"#c62828\" stroke-width=\"3\"/>" + text(x0 + 298, 18, "cap", "class=\"lbl\"") +
      "<line x1=\"" + (x0 + 340) + "\" x2=\"" + (x0 + 340) + "\" y1=\"6\" y2=\"22\" " +
      "stroke=\"#b07800\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>" +
      text(x0 + 348, 18, "warning level (" + pct(WARNING_FRACTION) + " of the cap)",
           "class=\"lbl\"");
  for (var t = 0; t <= axis.top + axis.step / 2; t += axis.step) {
    var x = xOf(t), yb = y0 + rowH * top.length;
    body += "<line class=\"grid\" x1=\"" + x + "\" x2=\"" + x + "\" y1=\"" + (y0 - 6) +
        "\" y2=\"" + (yb + 4) + "\"/>" +
        text(x, yb + 20, pct(t), "class=\"lbl tick\" text-anchor=\"middle\"");
  }
  top.forEach(function(r, i) {
    var y = y0 + rowH * i, xc = xOf(r.cap), xw = xOf(WARNING_FRACTION * r.cap);
    var name = r.name.length > 34 ? r.name.slice(0, 33) + "…" : r.name;
    body += "<g class=\"util-row\" data-fund=\"" + r.id + "\">" +
        text(x0 - 8, y + 15, name + " #" + r.id, "class=\"lbl\" text-anchor=\"end\"") +
        "<rect x=\"" + x0 + "\" y=\"" + (y + 4) + "\" width=\"" + (xOf(r.util) - x0).toFixed(1) +
        "\" height=\"16\" fill=\"" + utilColour(r) + "\"/>" +
        "<line x1=\"" + xc.toFixed(1) + "\" x2=\"" + xc.toFixed(1) + "\" y1=\"" + (y + 1) +
        "\" y2=\"" + (y + 23) + "\" stroke=\"#c62828\" stroke-width=\"3\"/>" +
        "<line x1=\"" + xw.toFixed(1) + "\" x2=\"" + xw.toFixed(1) + "\" y1=\"" + (y + 3) +
        "\" y2=\"" + (y + 21) + "\" stroke=\"#b07800\" stroke-width=\"2\" " +
        "stroke-dasharray=\"4 3\"/>" +
        text(x0 + plotW + 12, y + 16, pct(r.util) + " (cap " + pct(r.cap) + ")",
             "class=\"lbl\"") + "</g>";
  });
  if (!top.length) body += text(x0, 60, "No fund with a cap matches the filters.", "class=\"lbl\"");
  var notes = "<p class=\"note\">Funds with a cap, highest utilisation first (" + top.length +
      " of " + capped.length + ").";
  if (noCap.length) {
    notes += " " + noCap.length + " fund" + (noCap.length > 1 ? "s" : "") +
        " without a cap (FIDC, FII and other classes): utilisation not applicable.";
  }
  if (noUtil.length) {
    notes += " " + noUtil.length + " fund" + (noUtil.length > 1 ? "s" : "") +
        " without a utilisation (no NAV, or NAV ≤ 0).";
  }
  document.getElementById("chart-util").innerHTML =
      svg(x0 + plotW + 150, height, "Highest utilisations against their caps", body) +
      notes + "</p>";
}

// ---- the submission table ----
var views = {};
D.views.forEach(function(id) { views[id] = true; });
var COLUMNS = [
  {name: "Fund", css: "fund", sort: "text", key: function(r) { return r.name; },
   html: function(r) {
     var n = esc(r.name);
     return (views[r.id] ? "<a href=\"#fund-" + r.id + "\">" + n + "</a>" : n) +
         " <small>#" + r.id + "</small>";
   }},
  {name: "Manager", css: "manager", sort: "text", key: function(r) { return r.manager; }},
  {name: "Class", sort: "text", key: function(r) { return label(r.cls); }},
  {name: "Audience", sort: "text", key: function(r) { return label(r.aud); }},
  {name: "Exposure", sort: "text", key: function(r) { return label(r.exp); }},
  {name: "Submitted", title: "Last submission", sort: "text",
   key: function(r) { return r.last; }},
  {name: "Validated", title: "Validation date of the effective submission", sort: "text",
   key: function(r) { return r.validated; }},
  {name: "Next due", title: "Next due date; sorts by days to due", css: "due", sort: "num",
   key: function(r) { return r.days; },
   html: function(r) {
     if (!r.next) return "—";
     var d = r.days, when = d < 0 ? -d + " d overdue" : d === 0 ? "due today" : "in " + d + " d";
     return esc(r.next) + "<br><small>" + when + "</small>";
   }},
  {name: "Deadline", sort: "text", key: function(r) { return label(r.deadline); },
   html: function(r) { return badge(r.deadline); }},
  {name: "Validation", sort: "text", key: function(r) { return label(r.validation); },
   html: function(r) { return badge(r.validation); }},
  {name: "Utilisation", title: "Gross margin / NAV", css: "num", sort: "num",
   key: function(r) { return r.util; }},
  {name: "Cap", css: "num", sort: "num", key: function(r) { return r.cap; },
   html: function(r) { return r.cap === null ? "n/a" : pct(r.cap); }},
  {name: "Limit", sort: "text", key: function(r) { return label(r.limit); },
   html: function(r) { return badge(r.limit); }}
];
var order = {col: -1, dir: 1};
function cell(c, r) {
  if (c.html) return c.html(r);
  var v = c.key(r);
  if (c.name === "Utilisation") return pct(v);
  return v === null || v === "" ? "—" : esc(v);
}
// Empty values sort last in both directions; numbers compare exactly.
function compareRows(a, b) {
  var c = COLUMNS[order.col], x = c.key(a), y = c.key(b);
  var ex = x === null || x === "", ey = y === null || y === "";
  if (ex || ey) return ex === ey ? a.id - b.id : ex ? 1 : -1;
  var d = c.sort === "num" ? (x < y ? -1 : x > y ? 1 : 0) : textCmp(x, y);
  return d * order.dir || a.id - b.id;
}
function drawHead() {
  var tr = document.createElement("tr");
  COLUMNS.forEach(function(c, i) {
    var th = document.createElement("th");
    th.textContent = c.name;
    if (c.title) th.title = c.title;
    if (c.css === "num") th.className = "num";
    th.addEventListener("click", function() {
      order = {col: i, dir: order.col === i ? -order.dir : 1};
      redraw();
    });
    tr.appendChild(th);
  });
  document.querySelector("#tracking-table thead").appendChild(tr);
}
function drawTable(rows) {
  if (order.col >= 0) rows = rows.slice().sort(compareRows);
  document.querySelectorAll("#tracking-table th").forEach(function(th, i) {
    if (i === order.col) th.dataset.dir = order.dir > 0 ? "asc" : "desc";
    else delete th.dataset.dir;
  });
  var html = rows.map(function(r) {
    return "<tr data-fund=\"" + r.id + "\">" + COLUMNS.map(function(c) {
      return "<td" + (c.css ? " class=\"" + c.css + "\"" : "") + ">" + cell(c, r) + "</td>";
    }).join("") + "</tr>";
  }).join("");
  document.querySelector("#tracking-table tbody").innerHTML = html;
}

// ---- static tables (positions): sort by exact data-v decimals or text ----
document.querySelectorAll("table.sortable").forEach(function(table) {
  table.querySelectorAll("th").forEach(function(th, col) {
    th.addEventListener("click", function() {
      var dir = th.dataset.dir === "asc" ? "desc" : "asc", body = table.tBodies[0];
      table.querySelectorAll("th").forEach(function(h) { delete h.dataset.dir; });
      th.dataset.dir = dir;
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function(a, b) {
        var x = a.children[col], y = b.children[col];
        var c = x.dataset.v !== undefined && y.dataset.v !== undefined ?
            decCmp(x.dataset.v || "0", y.dataset.v || "0") : textCmp(x.textContent, y.textContent);
        return dir === "asc" ? c : -c;
      });
      rows.forEach(function(r) { body.appendChild(r); });
    });
  });
});

function redraw() {
  var rows = filtered(), shown = {};
  rows.forEach(function(r) { shown[r.id] = true; });
  drawTiles(rows);
  drawClasses(rows);
  drawExposure(rows);
  drawUtilisation(rows);
  drawTable(rows);
  var hidden = 0;
  document.querySelectorAll("section.fund").forEach(function(s) {
    s.hidden = !shown[s.dataset.fund];
    hidden += s.hidden ? 1 : 0;
  });
  document.getElementById("shown").textContent = "Showing " + rows.length + " of " +
      D.rows.length + " funds" + (hidden ? " (" + hidden + " fund view" +
      (hidden > 1 ? "s" : "") + " hidden)" : "");
  document.body.dataset.rows = rows.length;
}

drawHead();
redraw();
var filterBar = document.getElementById("filters");
document.documentElement.style.setProperty("--sticky-top", filterBar.offsetHeight + "px");
document.body.dataset.status = "ready";
})();
)js";

}  // namespace riskcap::client
