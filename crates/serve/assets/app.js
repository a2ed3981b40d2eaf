// actlab serve: the pages. No framework and no build step: plain DOM and uPlot.
"use strict";

const root = document.getElementById("main"); // each page renders into a view of its own inside it
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
let live = [];        // EventSources and timers of the current page, closed when it changes
let runsCache = null; // the last /api/runs listing

// The token arrives once in the URL (#token=…), as Jupyter's does, and is kept for the session.
function readToken() {
  const m = location.hash.match(/token=([0-9a-zA-Z]+)/);
  if (m) { sessionStorage.setItem("actlab-token", m[1]); location.hash = "#/runs"; }
  const t = sessionStorage.getItem("actlab-token");
  document.getElementById("token-state").textContent = t ? "token set: races allowed" : "no token: read only";
  return t;
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", body: JSON.stringify(body),
    headers: { "content-type": "application/json", "x-actlab-token": sessionStorage.getItem("actlab-token") || "" },
  };
  const response = await fetch(path, options);
  const json = await response.json();
  if (!response.ok) throw new Error(json.error || response.statusText);
  return json;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return node;
}

const fmt = (x, d = 4) => (x === null || x === undefined || Number.isNaN(x)) ? "–" : (+x).toFixed(d);
const fmtLr = (x) => (x === null || x === undefined) ? "–" : (+x).toExponential(0).replace("e-", "e-");
const runLink = (id, text) => el("a", { href: "#/run/" + encodeURIComponent(id) }, text ?? id);
const badge = (run) => run.error ? el("span", { class: "badge error", title: run.error }, run.status + " ⚠") : el("span", { class: "badge " + run.status }, run.status);

// ---------------------------------------------------------------------------------- runs page
const FIELDS = ["path", "arch", "activation", "lr", "seed", "status", "epochs", "last_train_error", "best_train_error", "last_test_error"];
let sortKey = "path", sortUp = true;
const selected = new Set();

// The runs filter: words separated by spaces, all of which must hold. A word "field:text" (or
// "field=text") matches text within that field, "field<number" and "field>number" compare it;
// any other word is looked for in every field.
function filterTests(query) {
  return query.toLowerCase().split(/\s+/).filter(Boolean).map((word) => {
    const m = word.match(/^([a-z_]+)([:=<>])(.+)$/);
    const field = m && FIELDS.find((f) => f === m[1] || f.replaceAll("_", "") === m[1]);
    if (!field) return (r) => FIELDS.some((f) => String(r[f] ?? "").toLowerCase().includes(word));
    const [, , op, value] = m;
    if (op === "<" || op === ">") {
      const limit = Number(value);
      return (r) => r[field] !== null && r[field] !== undefined && !Number.isNaN(limit) && (op === "<" ? Number(r[field]) < limit : Number(r[field]) > limit);
    }
    return (r) => String(r[field] ?? "").toLowerCase().includes(value);
  });
}

async function runsPage(view, filter) {
  const listing = await api("/api/runs");
  runsCache = listing;
  const text = el("input", { placeholder: "filter: text, or field:value, lr<1e-2, best_train_error<0.3", size: 44, id: "filter", value: filter || "" });
  const status = el("select", { id: "status-filter" }, ["", "running", "finished", "diverged", "interrupted", "pending"].map((s) => el("option", { value: s }, s || "any status")));
  const compare = el("button", { id: "compare", onclick: () => { location.hash = "#/compare/" + [...selected].map(encodeURIComponent).join(","); } }, "Compare selected");
  const count = el("span", { class: "muted" });
  const table = el("table", { id: "runs" });
  const draw = () => {
    const tests = filterTests(text.value);
    let rows = listing.runs.filter((r) => (!status.value || r.status === status.value) && tests.every((t) => t(r)));
    rows.sort((a, b) => { const x = a[sortKey] ?? "", y = b[sortKey] ?? ""; return (x < y ? -1 : x > y ? 1 : 0) * (sortUp ? 1 : -1); });
    count.textContent = `${rows.length} of ${listing.runs.length} runs`;
    table.replaceChildren(
      el("tr", {}, el("th", {}, ""), FIELDS.map((f) => el("th", { onclick: () => { sortUp = sortKey === f ? !sortUp : true; sortKey = f; draw(); } }, f.replaceAll("_", " ")))),
      ...rows.slice(0, 2000).map((r) => el("tr", { "data-id": r.id },
        el("td", {}, el("input", { type: "checkbox", ...(selected.has(r.id) ? { checked: "" } : {}), onchange: (e) => { e.target.checked ? selected.add(r.id) : selected.delete(r.id); } })),
        el("td", {}, runLink(r.id, r.path || r.root)), el("td", {}, r.arch ?? "–"), el("td", {}, r.activation ?? "–"),
        el("td", { class: "num" }, fmtLr(r.lr)), el("td", { class: "num" }, r.seed ?? "–"), el("td", {}, badge(r)),
        el("td", { class: "num" }, fmt(r.epochs, 2)), el("td", { class: "num" }, fmt(r.last_train_error)),
        el("td", { class: "num" }, fmt(r.best_train_error)), el("td", { class: "num" }, fmt(r.last_test_error)))));
  };
  text.addEventListener("input", draw);
  status.addEventListener("change", draw);
  view.replaceChildren(el("h2", {}, "Runs"), el("div", { class: "controls" }, text, status, compare, count), table);
  draw();
}

// ---------------------------------------------------------------------------------- charts
function smooth(values, alpha) {
  if (!alpha) return values;
  let s = null;
  return values.map((v) => (v === null ? null : (s = s === null ? v : alpha * s + (1 - alpha) * v)));
}

function chart(target, title, xLabel, series, data, log) {
  const width = Math.min(900, Math.max(420, target.clientWidth - 20 || 700));
  const opts = {
    title, width, height: 320,
    scales: { x: { time: false }, y: { distr: log ? 3 : 1 } },
    axes: [{ label: xLabel }, {}],
    series: [{ label: xLabel }, ...series],
  };
  const plot = new uPlot(opts, data, target);
  target.lastChild.dataset.points = String(data[0].length);
  return plot;
}

// ---------------------------------------------------------------------------------- run page
async function runPage(view, id) {
  const detail = await api("/api/run?id=" + encodeURIComponent(id));
  const metrics = await api("/api/metrics?id=" + encodeURIComponent(id));
  const xSel = el("select", { id: "x-axis" }, ["epoch", "iteration", "elapsed_s"].map((x) => el("option", { value: x }, x === "elapsed_s" ? "wall time (s)" : x)));
  const logBox = el("input", { type: "checkbox", id: "log-y" });
  const smoothSel = el("select", { id: "smoothing" }, [["0", "no smoothing"], ["0.6", "smoothing 0.6"], ["0.9", "smoothing 0.9"]].map(([v, t]) => el("option", { value: v }, t)));
  const charts = el("div", { class: "charts", id: "charts" });
  const state = { columns: metrics.columns, rows: metrics.rows, plots: [] };
  const col = (name) => state.columns.indexOf(name);
  const draw = () => {
    state.plots.forEach((p) => p.destroy());
    charts.replaceChildren();
    const x = state.rows.map((r) => r[col(xSel.value)]);
    const a = +smoothSel.value;
    const errs = [smooth(state.rows.map((r) => r[col("train_error")]), a), state.rows.map((r) => r[col("test_error")])];
    const loss = smooth(state.rows.map((r) => r[col("train_loss")]), a);
    const e = el("div", { id: "chart-error" }), l = el("div", { id: "chart-loss" });
    charts.append(e, l);
    state.plots = [
      chart(e, "error", xSel.value, [{ label: "train error", stroke: COLORS[0], spanGaps: true }, { label: "test error", stroke: COLORS[1], spanGaps: true, points: { show: true } }], [x, ...errs], logBox.checked),
      chart(l, "training loss", xSel.value, [{ label: "loss", stroke: COLORS[2] }], [x, loss], logBox.checked),
    ];
  };
  [xSel, logBox, smoothSel].forEach((c) => c.addEventListener("change", draw));
  const liveNote = el("span", { class: "muted", id: "live" }, `${metrics.total_rows} rows`);
  view.replaceChildren(
    el("h2", {}, detail.info.path || id, " ", badge(detail.info)),
    el("div", { class: "controls" }, "x:", xSel, el("label", {}, logBox, " log y"), smoothSel, liveNote),
    charts,
    detail.images.length ? el("div", {}, el("h3", {}, "Pictures"), detail.images.map((i) => el("img", { src: "/api/file?id=" + encodeURIComponent(i), style: "max-width:600px" }))) : "",
    el("h3", {}, "Summary"), el("pre", { id: "summary" }, detail.summary ? JSON.stringify(detail.summary, null, 2) : "(not finished)"),
    el("h3", {}, "Config"), el("pre", {}, detail.config));
  draw();
  // Live: rows appended to metrics.csv arrive as server-sent events.
  const source = new EventSource(`/api/events?id=${encodeURIComponent(id)}&from=${metrics.complete_bytes}`);
  source.addEventListener("rows", (event) => {
    const update = JSON.parse(event.data);
    state.rows.push(...update.rows);
    liveNote.textContent = `${state.rows.length} rows (live)`;
    draw();
  });
  live.push(() => source.close());
}

// ---------------------------------------------------------------------------------- compare page
async function comparePage(view, ids) {
  if (!ids.length) { view.replaceChildren(el("h2", {}, "Compare"), el("p", {}, "Select runs on the Runs page, then Compare selected.")); return; }
  const listing = runsCache || await api("/api/runs");
  const infos = ids.map((id) => listing.runs.find((r) => r.id === id)).filter(Boolean);
  const all = await Promise.all(infos.map((r) => api(`/api/metrics?id=${encodeURIComponent(r.id)}&max=500`)));
  const field = el("select", { id: "colour-by" }, ["activation", "arch", "lr", "seed", "path"].map((f) => el("option", { value: f }, "colour by " + f)));
  const target = el("div", { id: "chart-compare" });
  let plot = null;
  const draw = () => {
    if (plot) plot.destroy();
    // Runs sharing every field but the seed form a group: drawn as its mean with a min–max band.
    const groups = new Map();
    infos.forEach((r, i) => { const key = `${r.arch}|${r.activation}|${r.lr}`; if (!groups.has(key)) groups.set(key, []); groups.get(key).push(i); });
    const xs = [...new Set(all.flatMap((m) => m.rows.map((r) => r[m.columns.indexOf("epoch")])))].sort((a, b) => a - b);
    const at = (m, x) => { const e = m.columns.indexOf("epoch"), t = m.columns.indexOf("train_error"); const row = m.rows.find((r) => r[e] === x); return row ? row[t] : null; };
    const colourOf = new Map();
    const series = [], data = [xs], bands = [];
    for (const members of groups.values()) {
      const value = String(infos[members[0]][field.value]);
      if (!colourOf.has(value)) colourOf.set(value, COLORS[colourOf.size % COLORS.length]);
      const colour = colourOf.get(value);
      const columns = members.map((i) => xs.map((x) => at(all[i], x)));
      const stat = (f) => xs.map((_, k) => { const v = columns.map((c) => c[k]).filter((v) => v !== null); return v.length ? f(v) : null; });
      const label = `${value} (${infos[members[0]].arch}, lr ${fmtLr(infos[members[0]].lr)}, n=${members.length})`;
      series.push({ label, stroke: colour, spanGaps: true, width: 2 });
      data.push(stat((v) => v.reduce((a, b) => a + b, 0) / v.length));
      if (members.length > 1) {
        const hi = data.length, lo = data.length + 1;
        series.push({ label: "max", stroke: colour, width: 0.5, spanGaps: true }, { label: "min", stroke: colour, width: 0.5, spanGaps: true });
        data.push(stat((v) => Math.max(...v)), stat((v) => Math.min(...v)));
        bands.push({ series: [hi, lo], fill: colour + "33" });
      }
    }
    plot = new uPlot({ title: "training error (mean over seeds, band: min–max)", width: 900, height: 380, scales: { x: { time: false } }, axes: [{ label: "epoch" }, {}], series: [{ label: "epoch" }, ...series], bands }, data, target);
    target.lastChild.dataset.points = String(xs.length);
  };
  field.addEventListener("change", draw);
  view.replaceChildren(el("h2", {}, "Compare"), el("div", { class: "controls" }, field, el("span", { class: "muted" }, `${infos.length} runs`)), target,
    el("ul", {}, infos.map((r) => el("li", {}, runLink(r.id, r.path)))));
  draw();
}

// ---------------------------------------------------------------------------------- experiments
async function experimentsPage(view) {
  const listing = runsCache || await api("/api/runs");
  runsCache = listing;
  view.replaceChildren(el("h2", {}, "Experiments"), el("table", { id: "experiments" },
    el("tr", {}, el("th", {}, "report"), el("th", {}, "folder"), el("th", {}, "pending")),
    listing.experiments.map((e) => el("tr", {}, el("td", {}, el("a", { href: "#/experiment/" + encodeURIComponent(e.id) }, e.title)), el("td", {}, e.path || e.root),
      el("td", {}, e.error ? el("span", { class: "badge error" }, e.error) : String(e.pending))))));
}

// "a/b/../c/./d" -> "a/c/d".
function normalise(path) {
  const out = [];
  for (const part of path.split("/")) {
    if (part === "..") out.pop();
    else if (part && part !== ".") out.push(part);
  }
  return out.join("/");
}

// A report's `[number](folder)`, relative to the report: a run folder opens the run; a folder of
// runs (a rate's seeds) opens the runs page filtered to it; a file opens the file.
function folderLink(markdown, base, runs) {
  const [, label, href] = markdown.match(/^\[([^\]]*)\]\(([^)]+)\)$/);
  const target = normalise(base + "/" + href);
  if (runs.some((r) => r.id === target)) return runLink(target, label);
  if (runs.some((r) => r.id.startsWith(target + "/"))) return el("a", { href: "#/runs/" + encodeURIComponent("path:" + target.split("/").slice(1).join("/") + "/"), class: "folder" }, label);
  if (/\.[a-z]+$/.test(href)) return el("a", { href: "/api/file?id=" + encodeURIComponent(target) }, label);
  return document.createTextNode(label);
}

// Markdown as the reports write it: headings, paragraphs, lists, tables, images; a run folder in
// backticks, or a number linked to a folder, becomes a link to that run or to the runs under it.
function renderMarkdown(md, base, runs) {
  const out = el("div", { class: "report" });
  const inline = (text) => {
    const node = el("span");
    // An image's alt text may hold one level of brackets ("on [-4, 4]").
    const parts = text.split(/(`[^`]+`|!\[(?:[^\[\]]|\[[^\]]*\])*\]\([^)]+\)|\[[^\]]*\]\([^)]+\)|\*\*[^*]+\*\*)/);
    for (const p of parts) {
      if (p.startsWith("[") && p.endsWith(")")) node.append(folderLink(p, base, runs));
      else if (p.startsWith("`")) {
        const path = p.slice(1, -1);
        const run = runs.find((r) => r.path && (path === r.path || path.endsWith("/" + r.path) || r.path.endsWith(path)));
        node.append(run ? runLink(run.id, path) : el("code", {}, path));
      } else if (p.startsWith("![")) {
        const split = p.lastIndexOf("](");
        const src = p.slice(split + 2, -1);
        node.append(el("img", { src: "/api/file?id=" + encodeURIComponent(base + "/" + src), alt: p.slice(2, split) }));
      } else if (p.startsWith("**")) node.append(el("strong", {}, inline(p.slice(2, -2))));
      else node.append(p);
    }
    return node;
  };
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("|")) {
      const table = el("table");
      for (; i < lines.length && lines[i].startsWith("|"); i++) {
        if (/^\|[-| ]+\|$/.test(lines[i])) continue;
        table.append(el("tr", {}, lines[i].slice(1, -1).split(" | ").map((c) => el("td", {}, inline(c.trim())))));
      }
      i--;
      out.append(table);
    } else if (line.startsWith("#")) {
      const level = line.match(/^#+/)[0].length;
      out.append(el("h" + Math.min(level + 1, 6), {}, inline(line.replace(/^#+\s*/, ""))));
    } else if (line.startsWith("- ")) out.append(el("li", {}, inline(line.slice(2))));
    else if (line.trim()) out.append(el("p", {}, inline(line)));
  }
  return out;
}

async function experimentPage(view, id) {
  const [detail, listing] = await Promise.all([api("/api/experiment?id=" + encodeURIComponent(id)), runsCache || api("/api/runs")]);
  runsCache = listing;
  const pending = detail.report.pending || [];
  view.replaceChildren(
    el("h2", {}, id),
    pending.length ? el("div", {}, el("strong", {}, `In progress: ${pending.length} item(s) pending`), el("ul", {}, pending.slice(0, 20).map((p) => el("li", {}, p)))) : "",
    renderMarkdown(detail.markdown, id, listing.runs.filter((r) => r.id.startsWith(id.split("/")[0] + "/"))));
}

// ---------------------------------------------------------------------------------- race page
async function racePage(view) {
  const experiment = el("select", { id: "race-experiment" }, ["fig1", "linearity", "depth", "sparsity", "filters", "sensitivity"].map((e) => el("option", { value: e }, e)));
  const seeds = el("input", { id: "race-seeds", type: "number", min: 1, max: 10, value: 2, style: "width:4em" });
  const sets = el("input", { id: "race-set", placeholder: "optional --set KEY=VALUE, comma-separated", size: 40 });
  const message = el("span", { id: "race-message", class: "muted" });
  const start = el("button", { id: "race-start", onclick: async () => {
    try {
      const set = sets.value.split(",").map((s) => s.trim()).filter(Boolean);
      const r = await api("/api/races", { experiment: experiment.value, seeds: +seeds.value, set });
      message.textContent = `race ${r.id} started`;
      await refresh();
    } catch (e) { message.textContent = "refused: " + e.message; }
  } }, "Start --quick");
  const list = el("div", { id: "races" });
  const target = el("div", { id: "chart-race" });
  const row = (r) => el("tr", { "data-race": r.id }, el("td", {}, String(r.id)), el("td", {}, r.experiment), el("td", {}, r.out),
    el("td", {}, el("span", { class: "badge " + (r.running ? "running" : r.exit_code === 0 ? "finished" : "interrupted") }, r.running ? "running" : `exit ${r.exit_code}`)),
    el("td", {}, el("pre", { style: "max-height:6em;max-width:560px;margin:0" }, r.log_tail)),
    el("td", {}, r.running ? el("button", { class: "race-stop", onclick: async () => { try { await api("/api/races/stop", { id: r.id }); } catch (e) { message.textContent = e.message; } } }, "Stop") : ""));
  let races = [];
  const drawTable = () => list.replaceChildren(el("table", {}, el("tr", {}, ["race", "experiment", "folder", "state", "output", ""].map((h) => el("th", {}, h))), races.map(row)));
  // The newest race, live: one event stream for all its runs (server-sent events, /api/races/events).
  let watched = null, source = null, plot = null, pending = false;
  const runs = new Map(); // run id -> { info, columns, rows }
  const draw = () => {
    pending = false;
    const mine = [...runs.values()].filter((r) => r.rows.length);
    if (!mine.length) return;
    const xs = [...new Set(mine.flatMap((r) => r.rows.map((row) => row[0])))].sort((a, b) => a - b);
    const data = [xs, ...mine.map((r) => { const k = r.columns.indexOf("train_error"), at = new Map(r.rows.map((row) => [row[0], row[k]])); return xs.map((x) => at.get(x) ?? null); })];
    const series = mine.map((r) => ({ label: `${r.info.activation} lr ${fmtLr(r.info.lr)} seed ${r.info.seed}`, stroke: r.info.activation === "relu" ? COLORS[0] : r.info.activation === "tanh" ? COLORS[1] : COLORS[2], spanGaps: true }));
    if (plot) plot.destroy();
    plot = new uPlot({ title: "the race: training error of every run", width: 900, height: 360, scales: { x: { time: false } }, axes: [{ label: "epoch" }, {}], series: [{ label: "epoch" }, ...series] }, data, target);
    target.lastChild.dataset.points = String(xs.length);
  };
  const later = () => { if (!pending) { pending = true; requestAnimationFrame(draw); } };
  const watch = (race) => {
    if (!race || watched === race.id) return;
    if (source) source.close();
    watched = race.id;
    runs.clear();
    source = new EventSource(`/api/races/events?id=${race.id}`);
    source.addEventListener("race", (e) => { const r = JSON.parse(e.data); races = races.map((x) => x.id === r.id ? r : x); drawTable(); });
    source.addEventListener("runs", (e) => { for (const info of JSON.parse(e.data)) runs.set(info.id, { info, columns: [], rows: [] }); });
    source.addEventListener("rows", (e) => { const m = JSON.parse(e.data), r = runs.get(m.id); if (!r) return; r.columns = m.columns; r.rows.push(...m.rows); later(); });
    live.push(() => source.close());
  };
  const refresh = async () => {
    races = await api("/api/races");
    drawTable();
    watch(races[races.length - 1]);
  };
  view.replaceChildren(el("h2", {}, "Race"),
    el("p", { class: "muted" }, "Starts the experiment's --quick form as a child process (the same command a user would type), writing resumable run folders under the first root's races/. Needs the token printed at start."),
    el("div", { class: "controls" }, experiment, "seeds", seeds, sets, start, message), list, target);
  await refresh();
}

// ---------------------------------------------------------------------------------- routing
async function route() {
  readToken();
  live.forEach((stop) => stop());
  live = [];
  const hash = location.hash || "#/runs";
  const [, page, arg] = hash.match(/^#\/([a-z]+)\/?(.*)$/) || [, "runs", ""];
  document.querySelectorAll("header nav a").forEach((a) => a.classList.toggle("active", a.id === "nav-" + page || (page === "run" && a.id === "nav-runs") || (page === "experiment" && a.id === "nav-experiments")));
  // A page still loading when the next navigation starts renders into its own view, now detached,
  // so it cannot overwrite the page that replaced it.
  const view = el("div");
  root.replaceChildren(view);
  try {
    if (page === "run") await runPage(view, decodeURIComponent(arg));
    else if (page === "compare") await comparePage(view, arg ? arg.split(",").map(decodeURIComponent) : [...selected]);
    else if (page === "experiments") await experimentsPage(view);
    else if (page === "experiment") await experimentPage(view, decodeURIComponent(arg));
    else if (page === "race") await racePage(view);
    else await runsPage(view, decodeURIComponent(arg));
  } catch (e) {
    view.replaceChildren(el("p", { class: "badge error" }, "error: " + e.message));
  }
}

window.addEventListener("hashchange", route);
route();
