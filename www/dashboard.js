// The team at a glance: bookings per status, revenue confirmed this month, payments pending,
// departures in the next 14 days and the outbox backlog, from GET /api/admin/dashboard.
import { api, call, requireSession } from "/session.js";
import { el, errorText, formatMoney, handleSignedOut, isStaff, showMessage, statusBadge, timeElement } from "/ui.js";

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
