// oncomix report: sortable, searchable and paged tables that save as CSV, the factor-space embedding and per-subtype
// distributions.
// Data come from JSON blocks (script elements of type application/json); every string goes into the page as text
// (textContent, SVG text nodes), never as HTML.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
// other categorical columns (subtypes take the colours the report's data give, the figures' colours)
const PALETTE = ["#e63946", "#457b9d", "#2a9d8f", "#e9c46a", "#6d597a", "#f4a261", "#264653", "#a8dadc", "#8d99ae", "#bc6c25"];
// a column with more values than colours: its most frequent values get one each, the rest share "other"
const OTHER_COLOUR = "#707070", OTHER = Symbol("other"), MISSING_COLOUR = "#cccccc";

function readData(id) {
  const block = document.getElementById(id);
  return block ? JSON.parse(block.textContent) : null;
}

function svgElement(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

// ---- tables: click a header to sort, type in the box above to filter rows, page through 10 rows at a time ----

const PAGE_ROWS = 10;

function cellValue(row, column) {
  const cell = row.cells[column];
  const text = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
  const number = Number.parseFloat(text);
  return Number.isNaN(number) || !/^[-+]?(\d|\.\d|inf)/i.test(text) ? text.toLowerCase() : number;
}

function button(className, label, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = className;
  element.textContent = label;
  element.addEventListener("click", onClick);
  return element;
}

// the rows that match the filter, PAGE_ROWS of them from page `wanted` (kept within the pages there are), are shown
function showPage(table, wanted) {
  const matching = Array.from(table.tBodies[0].rows).filter((row) => row.dataset.match !== "0");
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_ROWS));
  const page = Math.max(0, Math.min(wanted, pages - 1));
  table.dataset.page = page;
  for (const row of table.tBodies[0].rows) row.hidden = true;
  for (const row of matching.slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS)) row.hidden = false;
  const pager = table.nextElementSibling;  // set up right after the table
  pager.querySelector("span").textContent = `page ${page + 1} of ${pages}`;
  pager.querySelector(".previous").disabled = page === 0;
  pager.querySelector(".next").disabled = page === pages - 1;
}

function sortTable(table, column, header) {
  const body = table.tBodies[0];
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = cellValue(a, column), y = cellValue(b, column);
    const order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : typeof x === "number" ? -1 : 1;
    return ascending ? order : -order;
  });
  for (const other of table.tHead.rows[0].cells) other.removeAttribute("aria-sort");
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  body.append(...rows);
  showPage(table, 0);
}

// every word must match: "column:value" the whole cell of that column (subtype:st1 is ST1, not ST10), any other
// word part of the row's text
function filterTable(table, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const headers = Array.from(table.tHead.rows[0].cells, (cell) => cell.textContent.trim().toLowerCase());
  let matching = 0;
  for (const row of table.tBodies[0].rows) {
    const text = row.textContent.toLowerCase();
    const match = words.every((word) => {
      const [column, value] = word.split(":");
      const at = value === undefined ? -1 : headers.indexOf(column);
      return at >= 0 ? row.cells[at].textContent.trim().toLowerCase() === value : text.includes(word);
    });
    row.dataset.match = match ? "1" : "0";
    matching += match ? 1 : 0;
  }
  const counter = document.querySelector(`[data-count-for="${table.id}"]`);
  if (counter) counter.textContent = `${matching} of ${table.tBodies[0].rows.length} rows`;
  showPage(table, 0);
}

function pager(table) {
  const box = document.createElement("div");
  box.className = "pager";
  if (table.id) box.dataset.pagerFor = table.id;
  const turn = (step) => () => showPage(table, Number(table.dataset.page) + step);
  box.append(button("previous", "\u2039 previous", turn(-1)), document.createElement("span"), button("next", "next \u203A", turn(1)));
  return box;
}

// secondary columns (headers marked data-extra) start hidden, so the table fits the window; a button shows them
function setUpColumnToggle(table) {
  const extra = Array.from(table.tHead.rows[0].cells).flatMap((header, column) => ("extra" in header.dataset ? [column] : []));
  if (extra.length === 0) return;
  for (const row of table.rows) for (const column of extra) row.cells[column].classList.add("extra");
  table.classList.add("compact");
  const toggle = button("columns", "all columns", () => {
    const compact = table.classList.toggle("compact");
    toggle.textContent = compact ? "all columns" : "fewer columns";
  });
  toggle.setAttribute("aria-controls", table.id);
  const counter = document.querySelector(`[data-count-for="${table.id}"]`);
  if (counter) counter.after(toggle);
  else table.before(toggle);
}

// any other table longer than a page, with one header row of th cells and no merged cells, sorts and pages too
function makeSortable(table) {
  const rows = Array.from(table.rows);
  const merged = rows.some((row) => Array.from(row.cells).some((cell) => cell.rowSpan > 1 || cell.colSpan > 1));
  const header = rows.length > 0 && Array.from(rows[0].cells).every((cell) => cell.tagName === "TH");
  if (table.tHead || merged || !header || rows.length <= PAGE_ROWS + 1) return;
  table.createTHead().append(rows[0]);
  table.classList.add("sortable");
}

function setUpTables() {
  document.querySelectorAll("main section table:not(.sortable)").forEach(makeSortable);
  for (const table of document.querySelectorAll("table.sortable")) {
    setUpColumnToggle(table);
    Array.from(table.tHead.rows[0].cells).forEach((header, column) => {
      header.tabIndex = 0;
      header.title = "sort";
      header.addEventListener("click", () => sortTable(table, column, header));
      header.addEventListener("keydown", (event) => { if (event.key === "Enter") sortTable(table, column, header); });
    });
    table.after(pager(table));
    showPage(table, 0);
  }
  for (const input of document.querySelectorAll("input.table-filter")) {
    const table = document.getElementById(input.dataset.table);
    input.hidden = false;
    input.addEventListener("input", () => filterTable(table, input.value));
    filterTable(table, "");
  }
  for (const link of document.querySelectorAll("a[data-filter]")) {  // a card's link to its rows of a table
    const table = document.getElementById(link.dataset.table);
    const input = table && document.querySelector(`input.table-filter[data-table="${table.id}"]`);
    if (!input) continue;
    link.addEventListener("click", () => { input.value = link.dataset.filter; filterTable(table, input.value); });
  }
}

// ---- every table saves as CSV: all its rows, as the page shows them ----

function csvCell(text) {
  let value = text.replace(/\s+/g, " ").trim();
  if (/^[=+\-@]/.test(value) && Number.isNaN(Number(value))) value = `'${value}`;  // a spreadsheet must not run it as a formula
  return /[",;]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;  // ";": the separator of some locales
}

function tableCsv(table) {
  return Array.from(table.rows, (row) => Array.from(row.cells, (cell) => csvCell(cell.textContent)).join(",")).join("\r\n") + "\r\n";
}

function saveAs(name, text) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function setUpDownloads() {
  for (const section of document.querySelectorAll("main section")) {
    section.querySelectorAll("table").forEach((table, i) => {
      const name = `${section.id}_${table.id || `table${i + 1}`}.csv`;
      const save = button("csv", "CSV", () => saveAs(name, tableCsv(table)));
      save.title = `save this table as ${name}`;
      table.before(save);
    });
  }
}

// ---- scatter plots drawn as SVG ----

function scale(values, low, high) {
  const finite = values.filter((v) => v !== null && Number.isFinite(v));
  const min = Math.min(...finite), max = Math.max(...finite);
  const span = max > min ? max - min : 1;
  return (v) => low + ((v - min) / span) * (high - low);
}

function shownLevels(values) {
  const counts = new Map();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) || 0) + 1);
  if (counts.size <= PALETTE.length) return Array.from(counts.keys()).sort();
  const byCount = Array.from(counts.entries()).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return byCount.slice(0, PALETTE.length - 1).map(([v]) => v).sort();
}

function colourScale(values, kind, fixed) {
  if (fixed) return (v) => (v === null ? MISSING_COLOUR : fixed[v] || MISSING_COLOUR);
  if (kind === "numeric") {
    const position = scale(values, 0, 1);
    return (v) => (v === null ? MISSING_COLOUR : `hsl(${Math.round(240 - 200 * position(v))}, 70%, 45%)`);
  }
  const levels = shownLevels(values);
  return (v) => (v === null ? MISSING_COLOUR : levels.includes(v) ? PALETTE[levels.indexOf(v)] : OTHER_COLOUR);
}

function legend(values, kind, colour) {
  const box = document.createElement("div");
  box.className = "legend";
  const present = values.filter((v) => v !== null);
  let entries;
  if (kind === "numeric") {
    entries = present.length ? [Math.min(...present), Math.max(...present)].map((v) => [v.toPrecision(3), v]) : [];
  } else {
    const levels = shownLevels(values);
    const others = new Set(present.filter((v) => !levels.includes(v))).size;
    entries = levels.map((v) => [v, v]);
    if (others) entries.push([`other (${others} values)`, OTHER]);
  }
  if (values.includes(null)) entries.push(["missing", null]);
  for (const [label, value] of entries) {
    const item = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = colour(value);
    item.append(swatch, document.createTextNode(label));
    box.append(item);
  }
  return box;
}

function drawEmbedding(data, container, x, y, colourBy) {
  const width = 640, height = 440, margin = 48;
  const column = data.columns[colourBy];
  const sx = scale(data.factors[x], margin, width - 12), sy = scale(data.factors[y], height - margin, 12);
  const colour = colourScale(column.values, column.kind, colourBy === "subtype" ? data.colours : null);
  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${x} against ${y}` });
  svg.append(svgElement("text", { x: width / 2, y: height - 8, "text-anchor": "middle" }, x));
  svg.append(svgElement("text", { x: 14, y: height / 2, transform: `rotate(-90 14 ${height / 2})`, "text-anchor": "middle" }, y));
  data.ids.forEach((id, i) => {
    const dot = svgElement("circle", { cx: sx(data.factors[x][i]).toFixed(1), cy: sy(data.factors[y][i]).toFixed(1), r: 3.5, fill: colour(column.values[i]), "fill-opacity": 0.8 });
    dot.append(svgElement("title", {}, `${id}: ${column.values[i] === null ? "missing" : column.values[i]}`));
    svg.append(dot);
  });
  container.replaceChildren(svg, legend(column.values, column.kind, colour));
}

function setUpEmbedding() {
  const data = readData("embedding-data");
  const container = document.getElementById("embedding");
  if (!data || !container) return;
  const controls = document.getElementById("embedding-controls");
  const selects = {};
  for (const [name, options, chosen] of [["x", data.factor_order, data.factor_order[0]], ["y", data.factor_order, data.factor_order[1]], ["colour", Object.keys(data.columns), "subtype"]]) {
    const label = document.createElement("label");
    const select = document.createElement("select");
    select.id = `embedding-${name}`;
    for (const option of options) select.append(new Option(option, option, false, option === chosen));
    label.append(document.createTextNode(`${name} `), select);
    controls.append(label);
    selects[name] = select;
    select.addEventListener("change", () => drawEmbedding(data, container, selects.x.value, selects.y.value, selects.colour.value));
  }
  controls.hidden = false;
  drawEmbedding(data, container, selects.x.value, selects.y.value, selects.colour.value);
}

// ---- per-subtype distribution of one feature: box (quartiles, whiskers to 1.5 IQR) and points ----

function quantile(sorted, q) {
  const position = (sorted.length - 1) * q, low = Math.floor(position), high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

function axis(svg, values, sy, margin) {
  const finite = values.filter((v) => v !== null);
  const min = Math.min(...finite), max = Math.max(...finite);
  for (let i = 0; i <= 4; i++) {
    const value = min + ((max - min) * i) / 4;
    svg.append(svgElement("line", { x1: margin - 4, x2: margin, y1: sy(value), y2: sy(value), stroke: "#555" }));
    svg.append(svgElement("text", { x: margin - 6, y: sy(value) + 4, "text-anchor": "end" }, value.toPrecision(3)));
  }
  svg.append(svgElement("line", { x1: margin, x2: margin, y1: sy(min), y2: sy(max), stroke: "#555" }));
}

function drawDistribution(data, feature) {
  const values = data.features[feature];
  const width = 640, height = 320, margin = 56, band = (width - margin) / data.order.length;
  const sy = scale(values, height - 36, 24);
  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${feature} per subtype` });
  svg.append(svgElement("text", { x: width / 2, y: 14, "text-anchor": "middle", "font-weight": "bold" }, `${feature} (preprocessed scale)`));
  axis(svg, values, sy, margin);
  data.order.forEach((subtype, s) => {
    const centre = margin + band * (s + 0.5);
    const group = values.filter((v, i) => v !== null && data.subtypes[i] === subtype).sort((a, b) => a - b);
    svg.append(svgElement("text", { x: centre, y: height - 12, "text-anchor": "middle" }, `${subtype} (n=${group.length})`));
    if (!group.length) return;
    const [q1, median, q3] = [0.25, 0.5, 0.75].map((q) => quantile(group, q));
    const low = group.find((v) => v >= q1 - 1.5 * (q3 - q1)), high = [...group].reverse().find((v) => v <= q3 + 1.5 * (q3 - q1));
    svg.append(svgElement("line", { x1: centre, x2: centre, y1: sy(low), y2: sy(high), stroke: "#555" }));
    svg.append(svgElement("rect", { x: centre - band / 5, width: band / 2.5, y: sy(q3), height: Math.max(1, sy(q1) - sy(q3)), fill: data.colours[subtype], "fill-opacity": 0.35, stroke: "#333" }));
    svg.append(svgElement("line", { x1: centre - band / 5, x2: centre + band / 5, y1: sy(median), y2: sy(median), stroke: "#111", "stroke-width": 2 }));
    group.forEach((v, i) => svg.append(svgElement("circle", { cx: (centre - band / 6 + ((i * 37) % 100) / 100 * band / 3).toFixed(1), cy: sy(v).toFixed(1), r: 2, fill: "#222", "fill-opacity": 0.45 })));
  });
  const panel = document.getElementById("distribution");
  panel.replaceChildren(svg);
  panel.hidden = false;
}

function setUpDistributions() {
  const data = readData("distribution-data");
  if (!data) return;
  for (const link of document.querySelectorAll("a.feature-link")) {
    link.addEventListener("click", () => drawDistribution(data, link.dataset.feature));
  }
}

// sections wait folded until asked for: a link to anything inside one (the menu, a card, a note) unfolds it
function openTarget(hash) {
  let id = hash.slice(1);
  try { id = decodeURIComponent(id); } catch { /* a malformed escape: the id as written */ }
  const target = id ? document.getElementById(id) : null;
  if (!target) return;
  const own = target.querySelector(":scope > details.section");  // a link to a whole section
  if (own) own.open = true;
  for (let node = target; node; node = node.parentElement) {
    if (node.tagName === "DETAILS") node.open = true;
  }
  target.scrollIntoView();
}

function setUpSections() {
  const sections = [...document.querySelectorAll("details.section")];
  const toggle = button("sections", "expand all", () => {
    const open = toggle.textContent === "expand all";
    for (const section of sections) section.open = open;
    toggle.textContent = open ? "collapse all" : "expand all";
  });
  document.querySelector("nav").append(toggle);
  for (const link of document.querySelectorAll('a[href^="#"]')) {
    link.addEventListener("click", () => openTarget(link.getAttribute("href")));
  }
  window.addEventListener("hashchange", () => openTarget(location.hash));
  openTarget(location.hash);
}

document.addEventListener("DOMContentLoaded", () => {
  setUpSections();
  setUpTables();
  setUpDownloads();
  setUpEmbedding();
  setUpDistributions();
});
