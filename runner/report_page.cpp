// report.html: the style sheet and the script that draw the runs' data. The
// script only reads the embedded JSON; it lays out the graph itself, so the
// report needs neither Graphviz nor a network.
#include "runner/report_page.h"

#include <chrono>
#include <ctime>

namespace flowrun {

namespace {

const char* const kStyle = R"CSS(
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1180px;
       color: #1d2330; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; border-bottom: 1px solid #d7dce5; padding-bottom: 4px;
margin-top: 32px; } h3 { font-size: 15px; margin: 18px 0 6px; }
.muted { color: #5c6577; } .note { color: #8a5a00; }
table { border-collapse: collapse; margin: 6px 0 14px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d7dce5; padding: 3px 8px; text-align: right; } th { background: #f2f4f8; }
td:first-child, th:first-child { text-align: left; }
tr.summary td { font-weight: 600; background: #f8f9fb; }
.charts { display: flex; flex-wrap: wrap; gap: 10px; }
.chart { border: 1px solid #e3e7ee; border-radius: 4px; background: #fff; }
.legend span { display: inline-block; margin-right: 14px; } .legend i { display: inline-block; width: 14px; height: 3px;
vertical-align: middle; margin-right: 4px; }
.panels { display: flex; flex-wrap: wrap; gap: 12px; } .panel { text-align: center; font-size: 12px; }
.panel img { image-rendering: pixelated; border: 1px solid #d7dce5; display: block; }
svg text { font-family: Helvetica, Arial, sans-serif; }
)CSS";

const char* const kScript = R"JS(
"use strict";
const data = JSON.parse(document.getElementById("report-data").textContent);
const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];
const esc = s => String(s).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
const fmt = (v, d = 4) => (typeof v === "number" && isFinite(v)) ? (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
  ? v.toExponential(2) : v.toFixed(d)) : "–";
const out = document.getElementById("report");
const add = html => out.insertAdjacentHTML("beforeend", html);

// ---- the graph, laid out in layers along the forward edges ----
function graphSvg(run) {
  const g = run.graph, prof = run.profile || {};
  if (!g || !Array.isArray(g.nodes)) return "<p class='note'>No graph.json in this run folder (runs before this " +
    "version of flowrun did not write one).</p>";
  const ids = g.nodes.map(n => n.id), type = {}, busy = {}, calls = {};
  g.nodes.forEach(n => { type[n.id] = n.type; });
  const pn = prof.nodes || {};
  let total = 0;
  ids.forEach(id => { busy[id] = pn[id] ? pn[id].busy_seconds || 0 : 0; calls[id] = pn[id] ? pn[id].calls : undefined;
                      total += busy[id]; });
  // Edges are ["a.out", "b.in"] or {"from": ..., "to": ..., "back": true}.
  const edges = (g.edges || []).map(e => Array.isArray(e) ? {from: e[0], to: e[1], back: false} : e)
    .map(e => ({from: String(e.from).split(".")[0], to: String(e.to).split(".")[0], back: !!e.back}));
  const layer = {};
  ids.forEach(id => layer[id] = 0);
  for (let pass = 0; pass < ids.length; ++pass) {
    let changed = false;
    edges.forEach(e => { if (!e.back && layer[e.to] < layer[e.from] + 1) { layer[e.to] = layer[e.from] + 1; changed = true; } });
    if (!changed) break;
  }
  const chain = new Set(((prof.chains || [])[0] || {}).nodes || []);
  const rows = {};
  ids.forEach(id => (rows[layer[id]] = rows[layer[id]] || []).push(id));
  const W = 190, H = 46, GX = 30, GY = 26, pos = {};
  let maxCols = 1;
  Object.keys(rows).forEach(l => { maxCols = Math.max(maxCols, rows[l].length);
    rows[l].forEach((id, i) => pos[id] = {x: 20 + i * (W + GX), y: 20 + Number(l) * (H + GY)}); });
  const nLayers = Object.keys(rows).length;
  const width = 40 + maxCols * (W + GX) + 260, height = 40 + nLayers * (H + GY);
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="graph">`;
  s += `<defs><marker id="arr" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">` +
       `<path d="M0,0 L10,5 L0,10 z" fill="#55607a"/></marker></defs>`;
  const box = (set, label, fill, stroke) => {
    const ps = ids.filter(id => set(id)).map(id => pos[id]);
    if (!ps.length) return "";
    const x0 = Math.min(...ps.map(p => p.x)) - 10, y0 = Math.min(...ps.map(p => p.y)) - 10;
    const x1 = Math.max(...ps.map(p => p.x)) + W + 10, y1 = Math.max(...ps.map(p => p.y)) + H + 10;
    return `<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" rx="8" fill="${fill}" stroke="${stroke}" ` +
           `stroke-dasharray="5,3"/><text x="${x1 + 8}" y="${y0 + 16}" font-size="12" fill="${stroke}">${label}</text>`;
  };
  if (chain.size) {
    const c = prof.chains[0];
    const top = Math.min(...[...chain].filter(id => id in layer).map(id => layer[id]));
    s += box(id => !chain.has(id) && layer[id] < top, "CPU stage (data)", "#f7f9fc", "#6b7a99");
    s += box(id => chain.has(id), `compute chain: waited for data ${fmt(c.starved_percent_of_busy, 1)} % of busy`,
             "#fdf6f0", "#b0501e");
  }
  edges.forEach(e => {
    const a = pos[e.from], b = pos[e.to];
    if (!a || !b) return;
    if (e.back) {
      const x = Math.max(a.x, b.x) + W + 4;
      s += `<path d="M${a.x + W},${a.y + H / 2} C${x + 40},${a.y + H / 2} ${x + 40},${b.y + H / 2} ${b.x + W},${b.y + H / 2}" ` +
           `fill="none" stroke="#8a94a8" stroke-dasharray="4,3" marker-end="url(#arr)"/>`;
    } else {
      s += `<line x1="${a.x + W / 2}" y1="${a.y + H}" x2="${b.x + W / 2}" y2="${b.y}" stroke="#55607a" marker-end="url(#arr)"/>`;
    }
  });
  ids.forEach(id => {
    const p = pos[id], share = total > 0 ? busy[id] / total : 0;
    const gb = Math.round(240 - 170 * share).toString(16).padStart(2, "0");
    const fill = pn[id] ? `#ff${gb}${gb}` : "#eef3fb";
    const stat = pn[id] ? `${fmt(busy[id], 2)} s busy, ${calls[id]} calls` : "";
    s += `<g><title>${esc(id)} (${esc(type[id])})${stat ? ": " + stat + ", " + fmt(100 * share, 1) + " % of busy time" : ""}</title>` +
         `<rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="6" fill="${fill}" stroke="#55607a"/>` +
         `<text x="${p.x + 8}" y="${p.y + 16}" font-size="12" font-weight="bold">${esc(id)}</text>` +
         `<text x="${p.x + 8}" y="${p.y + 29}" font-size="10" fill="#5c6577">${esc(type[id])}</text>` +
         `<text x="${p.x + 8}" y="${p.y + 41}" font-size="10">${stat}</text></g>`;
  });
  return s + "</svg>";
}

// ---- curves from log.jsonl ----
function series(run, key) {
  const pts = [];
  (run.log || []).forEach(l => {
    let v = key.startsWith("val.") ? (l.val || {})[key.slice(4)] : l[key];
    if (typeof v === "number" && isFinite(v) && typeof l.iteration === "number") pts.push([l.iteration, v]);
  });
  return pts;
}

function chartSvg(title, lines) {
  const w = 360, h = 210, L = 52, R = 10, T = 24, B = 30;
  const all = lines.flatMap(l => l.pts);
  if (!all.length) return "";
  let x0 = Math.min(...all.map(p => p[0])), x1 = Math.max(...all.map(p => p[0]));
  let y0 = Math.min(...all.map(p => p[1])), y1 = Math.max(...all.map(p => p[1]));
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y1 += Math.abs(y1) * 0.05 + 1e-9; y0 -= Math.abs(y0) * 0.05 + 1e-9; }
  const X = x => L + (x - x0) / (x1 - x0) * (w - L - R), Y = y => h - B - (y - y0) / (y1 - y0) * (h - T - B);
  let s = `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
          `<text x="${L}" y="15" font-size="12" font-weight="bold">${esc(title)}</text>` +
          `<line x1="${L}" y1="${h - B}" x2="${w - R}" y2="${h - B}" stroke="#99a"/>` +
          `<line x1="${L}" y1="${T}" x2="${L}" y2="${h - B}" stroke="#99a"/>`;
  // Enough decimals to tell the ticks apart; iterations only where whole.
  const digits = Math.min(8, Math.max(0, Math.ceil(-Math.log10((y1 - y0) / 4))) + 1);
  const xticks = new Set();
  for (let i = 0; i <= 4; ++i) {
    const yv = y0 + (y1 - y0) * i / 4;
    xticks.add(Math.round(x0 + (x1 - x0) * i / 4));
    s += `<text x="${L - 4}" y="${Y(yv) + 3}" font-size="9" text-anchor="end">${fmt(yv, digits)}</text>` +
         `<line x1="${L}" y1="${Y(yv)}" x2="${w - R}" y2="${Y(yv)}" stroke="#eef0f4"/>`;
  }
  xticks.forEach(xv => s += `<text x="${X(xv)}" y="${h - B + 13}" font-size="9" text-anchor="middle">${xv}</text>`);
  s += `<text x="${(L + w - R) / 2}" y="${h - 3}" font-size="9" text-anchor="middle" fill="#5c6577">iteration</text>`;
  lines.forEach(l => {
    if (!l.pts.length) return;
    const d = l.pts.map(p => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(" ");
    s += l.pts.length > 1 ? `<polyline points="${d}" fill="none" stroke="${l.color}" stroke-width="1.4"/>`
                          : `<circle cx="${X(l.pts[0][0])}" cy="${Y(l.pts[0][1])}" r="3" fill="${l.color}"/>`;
    if (l.markers) l.pts.forEach(p => s += `<circle cx="${X(p[0])}" cy="${Y(p[1])}" r="2.4" fill="${l.color}"/>`);
  });
  return s + "</svg>";
}

function curves() {
  const keys = [];
  const seen = new Set();
  data.runs.forEach(r => (r.log || []).forEach(l => Object.keys(l).forEach(k => {
    if (!seen.has(k) && typeof l[k] === "number" && k !== "iteration" && k !== "seconds") { seen.add(k); keys.push(k); }
  })));
  const order = ["total", "total1", "total2", "sup1", "sup2", "fix1", "fix2", "dyn1", "dyn2", "w", "lr", "it_per_s"];
  keys.sort((a, b) => (order.indexOf(a) < 0 ? 99 : order.indexOf(a)) - (order.indexOf(b) < 0 ? 99 : order.indexOf(b)) ||
                      a.localeCompare(b));
  const valKeys = ["dice"];
  let html = "<div class='legend'>" + data.runs.map((r, i) =>
    `<span><i style="background:${palette[i % palette.length]}"></i>${esc(r.name)}</span>`).join("") + "</div>";
  html += "<div class='charts'>";
  valKeys.forEach(k => html += chartSvg("validation " + k, data.runs.map((r, i) =>
    ({pts: series(r, "val." + k), color: palette[i % palette.length], markers: true}))));
  keys.forEach(k => html += chartSvg(k === "w" ? "w(t), the unsupervised weight" : k === "it_per_s" ? "iterations per second"
    : k === "lr" ? "learning rate" : "loss " + k, data.runs.map((r, i) => ({pts: series(r, k), color: palette[i % palette.length]}))));
  return html + "</div>";
}

// ---- test metrics ----
const metricNames = [["dice", "Dice"], ["jaccard", "Jaccard"], ["hd95", "HD95"], ["asd", "ASD"]];
function unitOf(summary, m) {
  const u = (summary.test || {}).units;
  return (m === "hd95" || m === "asd") ? ` (${u === "voxel" ? "voxels" : u || "?"})` : "";
}
function metricsTable(run) {
  const t = (run.summary || {}).test;
  if (!t) return "<p class='note'>No summary.json with test metrics (the run did not finish, or scored no test split).</p>";
  let s = `<p class="muted">Split <b>${esc(t.split || "test")}</b>, ${t.cases} cases, weights: ${esc(run.summary.weights || "?")}` +
          (run.summary.selected_on_test ? " <span class='note'>(best.pt chosen on the test split: optimistic)</span>" : "") +
          `.</p><table><tr><th>case</th>${metricNames.map(([k, n]) => `<th>${n}${unitOf(run.summary, k)}</th>`).join("")}</tr>`;
  (t.per_case || []).forEach(c => s += `<tr><td>${esc(c.case)}${c.empty ? " (empty)" : ""}</td>` +
    metricNames.map(([k]) => `<td>${fmt(c[k])}</td>`).join("") + "</tr>");
  s += `<tr class="summary"><td>mean ± sd${t.classes ? " (mean over classes)" : ""}</td>` + metricNames.map(([k]) =>
    `<td>${fmt((t.mean || {})[k])} ± ${fmt((t.std || {})[k])}</td>`).join("") + "</tr></table>";
  if (Array.isArray(t.classes)) {
    s += "<p class='muted'>Per class (mean ± sd over cases):</p><table><tr><th>class</th><th>label</th>" +
         metricNames.map(([k, n]) => `<th>${n}${unitOf(run.summary, k)}</th>`).join("") + "</tr>";
    t.classes.forEach(c => s += `<tr><td>${esc(c.name)}</td><td>${c.label}</td>` + metricNames.map(([k]) =>
      `<td>${fmt((c.mean || {})[k])} ± ${fmt((c.std || {})[k])}</td>`).join("") + "</tr>");
    s += "</table>";
  }
  return s;
}
function comparisonTable() {
  if (data.runs.length < 2) return "";
  let s = "<h2>Runs side by side (test split, mean ± sd)</h2><table><tr><th>run</th><th>cases</th>" +
          metricNames.map(([k, n]) => `<th>${n}</th>`).join("") + "</tr>";
  data.runs.forEach(r => { const t = (r.summary || {}).test || {};
    s += `<tr><td>${esc(r.name)}</td><td>${t.cases ?? "–"}</td>` + metricNames.map(([k]) =>
      `<td>${fmt((t.mean || {})[k])} ± ${fmt((t.std || {})[k])}${unitOf(r.summary || {}, k)}</td>`).join("") + "</tr>"; });
  return s + "</table>";
}

// ---- segmentation panels: a row per case and view, a column per checkpoint ----
function panels(run) {
  if (!run.panels || !run.panels.length) return "<p class='muted'>No panels: save the test masks with " +
    "<code>--set nodes.validate.save_predictions=true</code> (the run's <code>predictions/</code> folder), or keep " +
    "checkpoints (<code>nodes.checkpoint.keep_every</code>) and run <code>flowrun report --checkpoints</code>.</p>";
  const byCheckpoint = run.panels.some(p => p.checkpoint);
  let s = "<p class='muted'>Slices through the centre of the reference label: <span style='color:#00a651'>green</span> " +
          "reference outline, <span style='color:#e0301e'>red</span> prediction outline (yellow where they meet); " +
          (byCheckpoint ? "one column per kept checkpoint.</p>" :
                          `predictions of ${esc((run.summary || {}).weights || "the scored weights")}.</p>`);
  const rows = {};
  run.panels.forEach(p => (rows[p.case + " · " + p.view] = rows[p.case + " · " + p.view] || []).push(p));
  Object.keys(rows).forEach(r => {
    s += `<h4 style="margin:10px 0 4px">${esc(r)}</h4><div class="panels">`;
    rows[r].forEach(p => s += `<div class="panel"><img src="data:image/png;base64,${p.png}" alt="${esc(r)} ${esc(p.checkpoint || "")}">` +
      `${esc(p.checkpoint || "")}</div>`);
    s += "</div>";
  });
  return s;
}

// ---- a sweep: test metrics against the varied values, mean ± sd over seeds ----
function stats(xs) {
  if (!xs.length) return null;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) * (b - m), 0) / (xs.length - 1)) : 0;
  return {m, sd, n: xs.length};
}
function sweepSection(sw) {
  const axes = sw.axes, first = axes[0];
  const val = (p, k) => (p.runs || []).map(r => (r.test || {})[k]).filter(v => typeof v === "number" && isFinite(v));
  let s = `<h2>Sweep of ${esc(sw.graph)}</h2><p class="muted">${sw.points.length} grid points × ${sw.seeds} seeds ` +
          `(params.seed = 1..${sw.seeds}); test split means of each run, then mean ± sd over seeds` +
          `${(sw.common_sets || []).length ? "; every run with --set " + sw.common_sets.map(esc).join(", ") : ""}.</p>`;
  s += "<table><tr>" + axes.map(a => `<th>${esc(a.path)}</th>`).join("") + "<th>runs</th>" +
       metricNames.map(([k, n]) => `<th>${n}</th>`).join("") + "</tr>";
  sw.points.forEach(p => { s += "<tr>" + p.values.map(v => `<td>${esc(v)}</td>`).join("") +
    `<td>${val(p, "dice").length}/${sw.seeds}</td>` + metricNames.map(([k]) => { const st = stats(val(p, k));
      return `<td>${st ? fmt(st.m) + " ± " + fmt(st.sd) : "–"}</td>`; }).join("") + "</tr>"; });
  s += "</table><div class='charts'>";
  // x: the first axis's values in order; one line per combination of the others.
  const groups = {};
  sw.points.forEach(p => { const key = p.values.slice(1).map((v, i) => axes[i + 1].path + "=" + v).join(", ");
                           (groups[key] = groups[key] || []).push(p); });
  metricNames.forEach(([k, n]) => {
    const w = 380, h = 230, L = 56, R = 12, T = 24, B = 40;
    const lines = Object.keys(groups).map((g, gi) => ({g, color: palette[gi % palette.length],
      pts: groups[g].map(p => ({x: first.values.indexOf(p.values[0]), st: stats(val(p, k))})).filter(q => q.st)}));
    const all = lines.flatMap(l => l.pts.flatMap(q => [q.st.m - q.st.sd, q.st.m + q.st.sd]));
    if (!all.length) return;
    let y0 = Math.min(...all), y1 = Math.max(...all);
    if (y1 === y0) { y0 -= 0.05 * Math.abs(y0) + 1e-6; y1 += 0.05 * Math.abs(y1) + 1e-6; }
    const nx = Math.max(1, first.values.length - 1);
    const X = i => L + (first.values.length === 1 ? 0.5 : i / nx) * (w - L - R), Y = y => h - B - (y - y0) / (y1 - y0) * (h - T - B);
    let c = `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
            `<text x="${L}" y="15" font-size="12" font-weight="bold">test ${n} (mean ± sd over seeds)</text>` +
            `<line x1="${L}" y1="${h - B}" x2="${w - R}" y2="${h - B}" stroke="#99a"/><line x1="${L}" y1="${T}" x2="${L}" y2="${h - B}" stroke="#99a"/>`;
    const digits = Math.min(8, Math.max(0, Math.ceil(-Math.log10((y1 - y0) / 4))) + 1);
    for (let i = 0; i <= 4; ++i) { const yv = y0 + (y1 - y0) * i / 4;
      c += `<text x="${L - 4}" y="${Y(yv) + 3}" font-size="9" text-anchor="end">${fmt(yv, digits)}</text>` +
           `<line x1="${L}" y1="${Y(yv)}" x2="${w - R}" y2="${Y(yv)}" stroke="#eef0f4"/>`; }
    first.values.forEach((v, i) => c += `<text x="${X(i)}" y="${h - B + 13}" font-size="9" text-anchor="middle">${esc(v)}</text>`);
    c += `<text x="${(L + w - R) / 2}" y="${h - 8}" font-size="9" text-anchor="middle" fill="#5c6577">${esc(first.path)}</text>`;
    lines.forEach(l => {
      if (l.pts.length > 1) c += `<polyline points="${l.pts.map(q => X(q.x) + "," + Y(q.st.m)).join(" ")}" fill="none" stroke="${l.color}"/>`;
      l.pts.forEach(q => c += `<line x1="${X(q.x)}" y1="${Y(q.st.m - q.st.sd)}" x2="${X(q.x)}" y2="${Y(q.st.m + q.st.sd)}" stroke="${l.color}"/>` +
                              `<circle cx="${X(q.x)}" cy="${Y(q.st.m)}" r="3" fill="${l.color}"><title>${esc(l.g)} ${fmt(q.st.m)} ± ${fmt(q.st.sd)} (n=${q.st.n})</title></circle>`);
    });
    s += c + "</svg>";
  });
  s += "</div>";
  if (Object.keys(groups).length > 1)
    s += "<div class='legend'>" + Object.keys(groups).map((g, i) => `<span><i style="background:${palette[i % palette.length]}"></i>${esc(g)}</span>`).join("") + "</div>";
  return s;
}

add(`<h1>${esc(data.title)}</h1><p class="muted">Written by <code>flowrun ${data.sweep ? "sweep" : "report"}</code> ` +
    `(${esc(data.version)}) on ${esc(data.generated)}` +
    (data.runs.length ? ` from ${data.runs.map(r => "<code>" + esc(r.folder) + "</code>").join(", ")}` : "") + ".</p>");
if (data.sweep) add(sweepSection(data.sweep));
add(comparisonTable());
if (data.runs.length) add("<h2>Curves</h2>" + curves());
data.runs.forEach(r => {
  add(`<h2>Run ${esc(r.name)}</h2>`);
  (r.notes || []).forEach(n => add(`<p class="note">${esc(n)}</p>`));
  const p = r.profile || {};
  add(`<h3>Graph</h3><p class="muted">${p.batches ?? "?"} batches in ${fmt(p.wall_seconds, 1)} s on ${esc(p.device || "?")}; ` +
      "node colour: share of the run's busy time (redder = more); hover a node for its figures.</p>" + graphSvg(r));
  add("<h3>Test metrics</h3>" + metricsTable(r));
  add("<h3>Segmentations</h3>" + panels(r));
});
document.body.setAttribute("data-rendered", "yes");
)JS";

// Embedded JSON must not close the script element it sits in.
std::string script_safe(std::string s) {
  for (size_t i = 0; (i = s.find("</", i)) != std::string::npos; i += 3) s.replace(i, 2, "<\\/");
  return s;
}

std::string html_text(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else o += c;
  }
  return o;
}

}  // namespace

std::string now_text() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return buf;
}

std::string report_html(const nlohmann::json& data) {
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                  html_text(data.value("title", std::string("flowrun report"))) + "</title>\n<style>" + kStyle +
                  "</style>\n</head>\n<body>\n<div id=\"report\"></div>\n"
                  "<noscript>This report draws its tables and figures with JavaScript; the data is in the "
                  "report-data element of this file.</noscript>\n<script type=\"application/json\" id=\"report-data\">";
  h += script_safe(data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  h += "</script>\n<script>";
  h += kScript;
  h += "</script>\n</body>\n</html>\n";
  return h;
}

}  // namespace flowrun
