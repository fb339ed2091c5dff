// The team at a glance: bookings per status, revenue confirmed this month and per week, payments
// pending, departures in the next 14 days and the outbox backlog, from GET /api/admin/dashboard.
// The charts are SVG drawn here, every bar with its number and its name in words.
import { api, call, requireSession } from "/session.js";
import {
  el, errorText, formatMoney, handleSignedOut, isStaff, showMessage, statusBadge, statusLabel, svgEl, timeElement,
} from "/ui.js";

const $ = (id) => document.getElementById(id);
const loading = $("loading");
const pageError = $("page-error");
const board = $("dashboard");
const refreshButton = $("refresh");

let statusOrder = [];
const numberFormat = new Intl.NumberFormat();

function bookingsLink(status, content) {
  return el("a", { href: `/bookings.html?status=${encodeURIComponent(status)}` }, content);
}

function renderStatuses(counts) {
  const order = [...statusOrder, ...Object.keys(counts).filter((s) => !statusOrder.includes(s))];
  let total = 0;
  const rows = order.map((status) => {
    const n = Number(counts[status] || 0);
    total += n;
    return el(
      "tr",
      { "data-status": status, className: n === 0 ? "zero" : null },
      el("th", { scope: "row" }, bookingsLink(status, statusBadge(status))),
      el("td", { className: "num count", text: numberFormat.format(n) }),
    );
  });
  $("status-body").replaceChildren(...rows);
  $("status-total").textContent = numberFormat.format(total);
}

function renderRevenue(revenue) {
  const entries = Object.entries(revenue).sort(([a], [b]) => a.localeCompare(b));
  const list = $("revenue");
  if (entries.length === 0) {
    list.replaceChildren(el("li", { className: "empty", text: "None confirmed yet this month." }));
    return;
  }
  list.replaceChildren(
    ...entries.map(([currency, minor]) =>
      el("li", { "data-currency": currency, className: "big-number" }, formatMoney(minor, currency))),
  );
}

let isAdmin = false;

/** The backlog's counts; for admins each links to those events on the outbox page. */
function renderOutbox(outbox) {
  for (const kind of ["pending", "failed", "dead"]) {
    const n = numberFormat.format(Number(outbox[kind] || 0));
    $(`outbox-${kind}`).replaceChildren(isAdmin ? el("a", { href: `/outbox.html?status=${kind}`, text: n }) : n);
    const row = document.querySelector(`#outbox [data-kind="${kind}"]`);
    row.classList.toggle("attention", kind !== "pending" && Number(outbox[kind] || 0) > 0);
  }
}

/** Items a supplier has not confirmed yet: none is good news; any is a warning to chase. */
function unconfirmedCell(departure) {
  if (!Number(departure.supplier_items || 0)) return el("span", { className: "muted", text: "No suppliers" });
  const n = Number(departure.unconfirmed_items || 0);
  if (n === 0) return el("span", { className: "muted", text: "All confirmed" });
  return el("span", { className: "badge badge-warning", text: `${n} item${n === 1 ? "" : "s"}` });
}

function renderDepartures(departures) {
  const box = $("departures");
  if (departures.length === 0) {
    box.replaceChildren(el("p", { className: "empty", text: "No departures in the next 14 days." }));
    return;
  }
  const rows = departures.map((d) =>
    el(
      "tr",
      { "data-id": d.id },
      el("td", {}, timeElement(d.departure_at)),
      el("td", { className: "reference" },
        el("a", { href: `/booking.html?id=${encodeURIComponent(d.id)}`, text: d.booking_reference })),
      el("td", { className: "customer", text: d.customer_name ?? "—" }),
      el("td", {}, statusBadge(d.status)),
      el("td", { className: "num unconfirmed" }, unconfirmedCell(d)),
    ),
  );
  box.replaceChildren(
    el(
      "div",
      { className: "table-scroll" },
      el(
        "table",
        { id: "departures-table", className: "data-table" },
        el("caption", { className: "visually-hidden", text: "Departures in the next 14 days, soonest first" }),
        el("thead", {}, el("tr", {}, ...["Departure", "Reference", "Customer", "Status"].map((label) =>
          el("th", { scope: "col", text: label })), el("th", { scope: "col", className: "num", text: "Not confirmed" }))),
        el("tbody", {}, ...rows),
      ),
    ),
  );
}

// Charts are drawn for the width they have, in pixels, so their text stays legible on a phone;
// a box whose width changes (a window resized, a phone turned) is drawn again.
const drawings = new Map();
const resized = new ResizeObserver((entries) => entries.forEach((entry) => paint(entry.target)));

function paint(box) {
  const width = Math.floor(box.clientWidth);
  const draw = drawings.get(box);
  if (!draw || width === 0 || box.dataset.width === String(width)) return;
  box.dataset.width = String(width);
  box.replaceChildren(draw(width));
}

/** Shows `draw(width)` in `box`, or `empty` as a line of text when there is nothing to draw. */
function chart(box, draw, empty) {
  delete box.dataset.width;
  if (!draw) {
    drawings.delete(box);
    box.replaceChildren(el("p", { className: "empty", text: empty }));
    return;
  }
  drawings.set(box, draw);
  resized.observe(box);
  paint(box);
}

const ROW = 28;

// Labels are measured in the charts' font (12px, values bold), to give them the room they take.
const measure = document.createElement("canvas").getContext("2d");
function textWidth(texts, weight = 400) {
  measure.font = `${weight} 12px ${getComputedStyle(document.body).fontFamily}`;
  return Math.ceil(Math.max(0, ...texts.map((t) => measure.measureText(t).width)));
}

function chartSvg(title, width, height) {
  return svgEl("svg", { className: "chart", width, height, viewBox: `0 0 ${width} ${height}`, role: "group",
    "aria-label": title }, svgEl("title", { text: title }));
}

/** A bar with its name (for screen readers and as a tooltip) and its value. */
function bar(e, ...shapes) {
  return svgEl("g", { className: "bar", role: "img", "aria-label": e.name, "data-value": e.value },
    svgEl("title", { text: e.name }), ...shapes);
}

/**
 * Horizontal bars, one row per entry {label, value, text, name}: the label before the bar (above it
 * when the width leaves no room beside), the text after it.
 */
function barChart(title, entries, width) {
  const labels = textWidth(entries.map((e) => e.label)) + 8;
  const beside = labels <= width * 0.45;
  const start = beside ? labels : 0;
  const rowHeight = beside ? ROW : ROW + 14;
  const room = Math.max(width - start - textWidth(entries.map((e) => e.text), 600) - 8, 1);
  const max = Math.max(...entries.map((e) => e.value), 1);
  const height = entries.length * rowHeight;
  const svg = chartSvg(title, width, height);
  entries.forEach((e, i) => {
    const middle = (i + 1) * rowHeight - ROW / 2;
    const length = Math.round((e.value / max) * room);
    svg.append(bar(e,
      svgEl("text", beside
        ? { className: "label", x: start - 8, y: middle, "text-anchor": "end", "dominant-baseline": "central", text: e.label }
        : { className: "label", x: 0, y: middle - 16, "dominant-baseline": "central", text: e.label }),
      svgEl("rect", { x: start, y: middle - 9, width: length, height: 18 }),
      svgEl("text", { className: "value", x: start + length + 6, y: middle, "dominant-baseline": "central", text: e.text })));
  });
  svg.append(svgEl("line", { className: "axis", x1: start, x2: start, y1: 0, y2: height }));
  return svg;
}

/** Columns, one per entry {lines, value, text, name}: the text on top, the lines of its label below. */
function columnChart(title, entries, width) {
  const height = 180;
  const base = height - 36;
  const slot = width / entries.length;
  const max = Math.max(...entries.map((e) => e.value), 1);
  const svg = chartSvg(title, width, height);
  entries.forEach((e, i) => {
    const middle = slot * i + slot / 2;
    const length = Math.round((e.value / max) * (base - 22));
    svg.append(bar(e,
      svgEl("rect", { x: middle - slot * 0.3, y: base - length, width: slot * 0.6, height: length }),
      svgEl("text", { className: "value", x: middle, y: base - length - 6, "text-anchor": "middle", text: e.text }),
      ...e.lines.map((line, n) =>
        svgEl("text", { className: "label", x: middle, y: base + 16 + n * 15, "text-anchor": "middle", text: line }))));
  });
  svg.append(svgEl("line", { className: "axis", x1: 0, x2: width, y1: base, y2: base }));
  return svg;
}

/** Columns when every value fits above its column, else horizontal bars. */
function columnsOrBars(title, entries, width) {
  const fits = textWidth(entries.map((e) => e.text), 600) + 8 <= width / entries.length;
  return (fits ? columnChart : barChart)(title, entries, width);
}

// The API's days are UTC dates ("2026-12-08"): they are shown as those dates, whatever the zone.
const utcDay = (date) => new Date(`${date}T00:00:00Z`);
const dayFormat = (options) => new Intl.DateTimeFormat(undefined, { timeZone: "UTC", ...options });
const longDay = dayFormat({ weekday: "long", month: "long", day: "numeric" });
const weekday = { short: dayFormat({ weekday: "short" }), narrow: dayFormat({ weekday: "narrow" }) };
const dayOfMonth = dayFormat({ day: "numeric" });
const month = dayFormat({ month: "short" });
const shortDate = dayFormat({ month: "short", day: "numeric" });
const mediumDate = dayFormat({ dateStyle: "medium" });

function renderStatusChart(counts) {
  const order = [...statusOrder, ...Object.keys(counts).filter((s) => !statusOrder.includes(s))];
  const entries = order.map((status) => {
    const n = Number(counts[status] || 0);
    const label = statusLabel(status);
    return { label, value: n, text: numberFormat.format(n),
      name: `${label}: ${numberFormat.format(n)} booking${n === 1 ? "" : "s"}` };
  });
  chart($("status-chart"), entries.length > 0 ? (width) => barChart("Bookings per status", entries, width) : null,
    "No bookings yet.");
}

function renderDeparturesChart(days) {
  if (!Array.isArray(days) || days.length === 0) return chart($("departures-chart"), null, "No data");
  const entries = (width) => days.map((d) => {
    const date = utcDay(d.date);
    const n = Number(d.count || 0);
    return {
      // A phone has room for "T" above the day of the month, not for "Tue".
      lines: [weekday[width / days.length < 30 ? "narrow" : "short"].format(date), dayOfMonth.format(date)],
      value: n, text: numberFormat.format(n),
      name: `${longDay.format(date)}: ${numberFormat.format(n)} departure${n === 1 ? "" : "s"}`,
    };
  });
  chart($("departures-chart"), (width) => columnChart("Departures per day, next 14 days", entries(width), width));
}

/** One chart per currency, each under its code (amounts in two currencies do not add up). */
function renderRevenueChart(weeks) {
  if (!Array.isArray(weeks) || weeks.length === 0) return chart($("revenue-chart"), null, "No data");
  const currencies = [...new Set(weeks.flatMap((w) => Object.keys(w.totals || {})))].sort();
  const series = currencies.map((currency) => [currency, weeks.map((w) => {
    const minor = Number((w.totals || {})[currency] || 0);
    const date = utcDay(w.week_start);
    return { label: shortDate.format(date), lines: [month.format(date), dayOfMonth.format(date)], value: minor,
      text: formatMoney(minor, currency), name: `Week of ${mediumDate.format(date)}: ${formatMoney(minor, currency)}` };
  })]);
  const draw = (width) => el("div", {}, ...series.map(([currency, entries]) =>
    el("figure", { className: "chart-figure", "data-currency": currency }, el("figcaption", { text: currency }),
      columnsOrBars(`Confirmed revenue per week in ${currency}`, entries, width))));
  chart($("revenue-chart"), currencies.length > 0 ? draw : null, "No revenue confirmed in the last 12 weeks.");
}

async function load() {
  refreshButton.disabled = true;
  loading.textContent = "Loading…";
  loading.hidden = false;
  const response = await call("GET", "/api/admin/dashboard");
  refreshButton.disabled = false;
  if (handleSignedOut(response)) return;
  if (!(response.status === 200 && response.body && response.body.ok)) {
    loading.hidden = true;
    showMessage(pageError, errorText(response, "The dashboard could not be loaded"));
    return;
  }
  showMessage(pageError, "");
  const data = response.body.data;
  renderStatuses(data.bookings_by_status || {});
  renderStatusChart(data.bookings_by_status || {});
  renderDeparturesChart(data.departures_by_day);
  renderRevenueChart(data.revenue_confirmed_by_week);
  renderRevenue(data.revenue_confirmed_this_month || {});
  $("payments-pending").textContent = numberFormat.format(Number(data.payments_pending || 0));
  renderDepartures(data.departures_next_14_days || []);
  renderOutbox(data.outbox || {});
  board.hidden = false;
  const time = new Intl.DateTimeFormat(undefined, { timeStyle: "short" }).format(new Date());
  loading.textContent = `Updated at ${time}.`;
}

async function start() {
  const me = await requireSession();
  if (!me) return;
  if (!isStaff(me)) {
    loading.hidden = true;
    showMessage(pageError, "This page is for staff and admins of the team.");
    return;
  }
  const rules = await api("GET", "/api/core/booking-lifecycle/rules");
  if (rules.status === 200 && rules.body && rules.body.ok) statusOrder = rules.body.data.statuses || [];
  isAdmin = me.role === "admin";
  $("outbox-all").hidden = !isAdmin;
  refreshButton.hidden = false;
  refreshButton.addEventListener("click", load);
  await load();
}

start();
