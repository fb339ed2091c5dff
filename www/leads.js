// The leads list (newest first, status filter in the address, "Load more" with the API's cursor)
// and the form that adds one.
import { addCustomerOptions, allCustomers } from "/directory.js";
import { pagedList } from "/paged-list.js";
import { call, requireSession } from "/session.js";
import { el, errorText, errorWithFields, handleSignedOut, isStaff, showMessage, statusBadge, text, timeElement } from "/ui.js";

const $ = (id) => document.getElementById(id);
const statusSelect = $("status");
const newLead = $("new-lead");

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

const list = pagedList({
  path: "/api/leads",
  params: () => ({ status: statusSelect.value }),
  ids: { table: "leads-table", tbody: "leads-body" },
  row,
  describe: (shown, more) => `${shown} lead${shown === 1 ? "" : "s"}${more ? " so far" : ""}.`,
  failure: "The leads could not be loaded",
});

/** The list from its first page, the filter kept in the address. */
function reload() {
  const query = statusSelect.value ? "?status=" + encodeURIComponent(statusSelect.value) : "";
  history.replaceState(null, "", window.location.pathname + query);
  return list.load(true);
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
  statusSelect.addEventListener("change", reload);
  newLead.addEventListener("submit", addLead);
  const loaded = await allCustomers();
  if (loaded.ok) {
    addCustomerOptions($("lead-customer"), loaded.customers);
    newLead.hidden = false;
  } else if (!handleSignedOut(loaded.response)) {
    showMessage($("page-error"), errorText(loaded.response, "The customers could not be loaded"));
  }
  await reload();
}

start();
