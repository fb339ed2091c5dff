// The bookings list: status filter, search, newest first, "Load more" with the API's cursor.
// The filters live in the address (?status=&q=) so a reload or a shared link shows the same list.
import { pagedList } from "/paged-list.js";
import { api, requireSession } from "/session.js";
import { el, formatMoney, isStaff, showMessage, statusBadge, statusLabel, timeElement } from "/ui.js";

const form = document.getElementById("filters");
const statusSelect = document.getElementById("status");
const search = document.getElementById("q");
const pageError = document.getElementById("page-error");

function filters() {
  return { status: statusSelect.value, q: search.value.trim() };
}

function rememberFilters({ status, q }) {
  const params = new URLSearchParams();
  if (status) params.set("status", status);
  if (q) params.set("q", q);
  const query = params.toString();
  history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
}

function row(booking) {
  const link = el("a", { href: `/booking.html?id=${encodeURIComponent(booking.id)}`, text: booking.booking_reference });
  return el(
    "tr",
    { "data-id": booking.id },
    el("td", { className: "reference" }, link),
    el("td", { className: "customer", text: booking.customer_name ?? "—" }),
    el("td", { className: "status" }, statusBadge(booking.status)),
    el("td", { className: "num total", text: formatMoney(booking.total_minor, booking.currency) }),
    el("td", { className: "departure" }, timeElement(booking.departure_at, false)),
    el("td", { className: "created" }, timeElement(booking.created_at, false)),
  );
}

const list = pagedList({
  path: "/api/bookings",
  params: filters,
  ids: { table: "bookings-table", tbody: "bookings-body" },
  row,
  describe: (shown, more) => {
    const noun = shown === 1 ? "booking" : "bookings";
    return more ? `Showing the newest ${shown} ${noun}.` : `${shown} ${noun}.`;
  },
  failure: "The bookings could not be loaded",
});

/** The list from its first page, the filters kept in the address. */
function reload() {
  rememberFilters(filters());
  return list.load(true);
}

async function loadStatuses() {
  const response = await api("GET", "/api/core/booking-lifecycle/rules");
  if (!(response.status === 200 && response.body && response.body.ok)) return [];
  return response.body.data.statuses || [];
}

let typing = null;

async function start() {
  const me = await requireSession();
  if (!me) return;
  if (!isStaff(me)) {
    showMessage(pageError, "This page is for staff and admins of the team.");
    return;
  }
  const statuses = await loadStatuses();
  for (const status of statuses) statusSelect.append(el("option", { value: status, text: statusLabel(status) }));

  const wanted = new URLSearchParams(window.location.search);
  if (statuses.includes(wanted.get("status"))) statusSelect.value = wanted.get("status");
  search.value = wanted.get("q") || "";
  form.hidden = false;

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typing);
    reload();
  });
  statusSelect.addEventListener("change", reload);
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(reload, 300);
  });
  await reload();
}

start();
