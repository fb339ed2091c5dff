// The leads list (newest first, status filter in the address, "Load more" with the API's cursor)
// and the form that adds one.
import { addCustomerOptions, allCustomers } from "/customers.js";
import { call, requireSession } from "/session.js";
import { el, errorText, errorWithFields, handleSignedOut, isStaff, showMessage, statusBadge, text, timeElement } from "/ui.js";

const PAGE_SIZE = 25;

const $ = (id) => document.getElementById(id);
const statusSelect = $("status");
const table = $("leads-table");
const tbody = $("leads-body");
const loadMore = $("load-more");
const listStatus = $("list-status");
const listError = $("list-error");
const newLead = $("new-lead");

let cursor = null;
let shown = 0;
// The filter the rows on screen were loaded with: "Load more" continues that list.
let active = "";
let generation = 0;

function row(lead) {
  const link = el("a", {
    href: `/lead.html?id=${encodeURIComponent(lead.id)}`,
    "aria-label": `Lead of ${lead.customer_name || "no customer yet"}, ${new Date(lead.created_at).toLocaleString()}`,
  }, timeElement(lead.created_at));
  return el(
    "tr",
    { "data-id": lead.id },
    el("td", { className: "created" }, link),
    el("td", { className: "customer", text: text(lead.customer_name) }),
    el("td", { className: "source", text: text(lead.source) }),
    el("td", { className: "status" }, statusBadge(lead.status)),
  );
}

async function load(reset) {
  const mine = ++generation;
  const status = reset ? statusSelect.value : active;
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (status) params.set("status", status);
  if (!reset && cursor) params.set("cursor", cursor);
  if (reset) {
    const query = status ? "?status=" + encodeURIComponent(status) : "";
    history.replaceState(null, "", window.location.pathname + query);
  }
  loadMore.disabled = true;
  showMessage(listError, "");
  listStatus.textContent = "Loading…";
  const response = await call("GET", "/api/leads?" + params.toString());
  if (mine !== generation) return;
  loadMore.disabled = false;
  if (handleSignedOut(response)) return;
  if (!(response.status === 200 && response.body && response.body.ok)) {
    listStatus.textContent = "";
    showMessage(listError, errorText(response, "The leads could not be loaded"));
    return;
  }
  const { items, nextCursor } = response.body.data;
  if (reset) {
    tbody.replaceChildren();
    shown = 0;
    active = status;
  }
  for (const lead of items) tbody.append(row(lead));
  shown += items.length;
  cursor = nextCursor || null;
  table.hidden = shown === 0;
  $("empty").hidden = shown !== 0;
  loadMore.hidden = !cursor;
  listStatus.textContent = shown === 0 ? "" : `${shown} lead${shown === 1 ? "" : "s"}${cursor ? " so far" : ""}.`;
}

async function addLead(event) {
  event.preventDefault();
  const body = {};
  if ($("lead-customer").value) body.customerId = $("lead-customer").value;
  if ($("lead-source").value.trim()) body.source = $("lead-source").value.trim();
  if ($("lead-notes").value.trim()) body.notes = $("lead-notes").value.trim();
  $("lead-submit").disabled = true;
  showMessage($("lead-error"), "");
  const response = await call("POST", "/api/leads", body);
  $("lead-submit").disabled = false;
  if (handleSignedOut(response)) return;
  if (response.status === 201 && response.body && response.body.ok) {
    window.location.assign(`/lead.html?id=${encodeURIComponent(response.body.data.id)}`);
    return;
  }
  showMessage($("lead-error"), errorWithFields(response, "The lead was not added"));
}

async function start() {
  const me = await requireSession();
  if (!me) return;
  if (!isStaff(me)) {
    showMessage($("page-error"), "This page is for staff and admins of the team.");
    return;
  }
  const wanted = new URLSearchParams(window.location.search).get("status");
  if (["open", "converted", "lost"].includes(wanted)) statusSelect.value = wanted;
  $("filters").hidden = false;
  statusSelect.addEventListener("change", () => load(true));
  loadMore.addEventListener("click", () => load(false));
  newLead.addEventListener("submit", addLead);
  const loaded = await allCustomers();
  if (loaded.ok) {
    addCustomerOptions($("lead-customer"), loaded.customers);
    newLead.hidden = false;
  } else if (!handleSignedOut(loaded.response)) {
    showMessage($("page-error"), errorText(loaded.response, "The customers could not be loaded"));
  }
  await load(true);
}

start();
