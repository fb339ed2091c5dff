// The bookings list: status filter, search, newest first, "Load more" with the API's cursor.
// The filters live in the address (?status=&q=) so a reload or a shared link shows the same list.
import { api, call, requireSession } from "/session.js";
import { el, errorText, formatMoney, handleSignedOut, isStaff, showMessage, statusBadge, timeElement } from "/ui.js";

const PAGE_SIZE = 25;

const form = document.getElementById("filters");
const statusSelect = document.getElementById("status");
const search = document.getElementById("q");
const table = document.getElementById("bookings-table");
const tbody = document.getElementById("bookings-body");
const empty = document.getElementById("empty");
const loadMore = document.getElementById("load-more");
const listStatus = document.getElementById("list-status");
const listError = document.getElementById("list-error");
const pageError = document.getElementById("page-error");

let cursor = null;
let shown = 0;
let active = { status: "", q: "" };
// Each new query bumps the generation so an older answer arriving late is dropped.
let generation = 0;

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

function summarize() {
  if (shown === 0) {
    listStatus.textContent = "";
    return;
  }
  const noun = shown === 1 ? "booking" : "bookings";
  listStatus.textContent = cursor ? `Showing the newest ${shown} ${noun}.` : `${shown} ${noun}.`;
}

async function load(reset) {
  const mine = ++generation;
  // "Load more" continues the list on screen, with the filters it was loaded with.
  if (reset) active = filters();
  const current = active;
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (current.status) params.set("status", current.status);
  if (current.q) params.set("q", current.q);
  if (!reset && cursor) params.set("cursor", cursor);
  if (reset) rememberFilters(current);

  loadMore.disabled = true;
  showMessage(listError, "");
  listStatus.textContent = "Loading…";
  const response = await call("GET", "/api/bookings?" + params.toString());
  if (mine !== generation) return;
  loadMore.disabled = false;
  if (handleSignedOut(response)) return;
  if (!(response.status === 200 && response.body && response.body.ok)) {
    listStatus.textContent = "";
    showMessage(listError, errorText(response, "The bookings could not be loaded"));
    return;
  }
  const { items, nextCursor } = response.body.data;
  if (reset) {
    tbody.replaceChildren();
    shown = 0;
  }
  for (const booking of items) tbody.append(row(booking));
  shown += items.length;
  cursor = nextCursor || null;
  table.hidden = shown === 0;
  empty.hidden = shown !== 0;
  loadMore.hidden = !cursor;
  summarize();
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
  for (const status of statuses) statusSelect.append(el("option", { value: status, text: status }));

  const wanted = new URLSearchParams(window.location.search);
  if (statuses.includes(wanted.get("status"))) statusSelect.value = wanted.get("status");
  search.value = wanted.get("q") || "";
  form.hidden = false;

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typing);
    load(true);
  });
  statusSelect.addEventListener("change", () => load(true));
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => load(true), 300);
  });
  loadMore.addEventListener("click", () => load(false));
  await load(true);
}

start();
