// The booking page's ground services (transfers, guides, photo shoots, meet and greet): a table
// soonest first with Edit and Remove (asked once more in the row), and one form that adds a service
// or edits the one chosen (sending only what changed). A closed booking shows them only.
import { call } from "/session.js";
import {
  askInPlace, CLOSED_STATUSES, dataTable, el, errorText, errorWithFields, handleSignedOut, isoToLocalInput, localInputToISO, showMessage,
  refocus, statusLabel, text, timeElement,
} from "/ui.js";

// The kinds the API takes (GroundServiceHandlers.kinds).
const KINDS = ["transfer", "guide", "photo_shoot", "meet_and_greet", "other"];

const $ = (id) => document.getElementById(id);
const form = $("service-form");
const alert = $("services-error");
const notice = $("services-done");

let bookingId = null;
let suppliers = [];
let open = true;
/** The page's reload after a change (the booking's history shows it too). */
let changed = async () => {};
/** The service the form edits, or null while it adds one. */
let editing = null;

const path = () => `/api/bookings/${encodeURIComponent(bookingId)}/ground-services`;

function supplierName(id) {
  if (!id) return "—";
  const supplier = suppliers.find((s) => s.id === id);
  return supplier ? supplier.name : "Another supplier";
}

function fillSuppliers(current) {
  const select = $("service-supplier");
  select.replaceChildren(el("option", { value: "", text: "No supplier" }),
    ...suppliers.map((s) => el("option", { value: s.id, text: s.name })));
  if (current && !suppliers.some((s) => s.id === current)) {
    select.append(el("option", { value: current, text: "Another supplier" }));
  }
  select.value = current || "";
}

function fillForm(service) {
  $("service-kind").value = service ? service.kind : "transfer";
  $("service-description").value = service ? service.description : "";
  $("service-starts").value = service ? isoToLocalInput(service.starts_at) : "";
  $("service-location").value = service ? service.location || "" : "";
  fillSuppliers(service ? service.supplier_id : null);
  $("service-form-title").textContent = service ? `Edit ${service.description}` : "Add a ground service";
  $("service-submit").textContent = service ? "Save changes" : "Add service";
  $("service-cancel").hidden = !service;
}

function render(services) {
  const rows = services.map((g) => {
    const edit = el("button", { type: "button", className: "secondary", text: "Edit", "aria-label": `Edit ${g.description}` });
    edit.addEventListener("click", () => {
      editing = g;
      fillForm(g);
      showMessage(alert, "");
      showMessage(notice, "");
      $("service-description").focus();
    });
    const remove = el("button", {
      type: "button", className: "secondary", text: "Remove", "aria-label": `Remove ${g.description}`,
    });
    const actions = el("span", { className: "row-actions" }, edit, remove);
    // The client and the suppliers are told of a removal.
    remove.addEventListener("click", () => askInPlace(actions, remove, {
      question: `Remove ${g.description}?`, verb: "Remove", onConfirm: (confirm) => removeService(g, confirm),
    }));
    return [timeElement(g.starts_at), statusLabel(g.kind), text(g.description), text(g.location), supplierName(g.supplier_id),
      open ? actions : ""];
  });
  $("services").replaceChildren(dataTable("Ground services",
    [{ label: "When" }, { label: "Kind" }, { label: "Description" }, { label: "Location" }, { label: "Supplier" },
      { label: "" }], rows, "No ground services yet."));
}

/**
 * Loads and shows the ground services of booking `b`; `teamSuppliers` to choose from, `onChange()`
 * reloads the page after a change. False when they could not be loaded.
 */
export async function loadGroundServices(b, teamSuppliers, onChange) {
  const first = bookingId === null;
  bookingId = b.id;
  suppliers = teamSuppliers || [];
  changed = onChange;
  // Nothing more happens on the ground of a completed, cancelled or refunded booking.
  open = !CLOSED_STATUSES.includes(b.status);
  form.hidden = !open;
  // Once per visit: a later reload of the page (after any change) leaves what is being typed alone.
  if (first) fillForm(null);
  const response = await call("GET", path());
  if (handleSignedOut(response)) return false;
  if (!(response.status === 200 && response.body && response.body.ok)) {
    showMessage(alert, errorText(response, "The ground services could not be loaded"));
    return false;
  }
  render(response.body.data.items || []);
  return true;
}

async function removeService(service, button) {
  showMessage(alert, "");
  showMessage(notice, "");
  button.disabled = true;
  const response = await call("DELETE", `${path()}/${encodeURIComponent(service.id)}`);
  if (handleSignedOut(response)) return;
  if (response.status === 200) {
    if (editing && editing.id === service.id) {
      editing = null;
      fillForm(null);
    }
    await changed();
    showMessage(notice, `Removed ${service.description}.`);
    refocus($("services").querySelector("button") || $("service-kind"));
    return;
  }
  button.disabled = false;
  refocus(button);
  showMessage(alert, errorText(response, "The service was not removed"));
  if (response.status === 409) await changed();
}

/** Whether the form's `value` of field `name` is what the service has saved (times as instants). */
function unchanged(name, value, saved) {
  if (name === "startsAt") return (value ? Date.parse(value) : null) === (saved ? Date.parse(saved) : null);
  return (value || null) === (saved || null);
}

async function submit(event) {
  event.preventDefault();
  showMessage(alert, "");
  showMessage(notice, "");
  const description = $("service-description").value.trim();
  const startsAt = localInputToISO($("service-starts").value);
  if (!description) {
    showMessage(alert, "Describe the service, e.g. “Airport pick-up, 2 people”.");
    $("service-description").focus();
    return;
  }
  if (startsAt === null) {
    showMessage(alert, "Give a valid date and time, or leave it empty.");
    $("service-starts").focus();
    return;
  }
  const location = $("service-location").value.trim();
  const supplierId = $("service-supplier").value;
  // A new service leaves empty fields out; an edit sends what changed (an emptied field as null),
  // so the booking's history and the people told name only that.
  const values = [["kind", $("service-kind").value, "kind"], ["description", description, "description"],
    ["startsAt", startsAt, "starts_at"], ["location", location, "location"], ["supplierId", supplierId, "supplier_id"]];
  const body = {};
  for (const [name, value, column] of values) {
    if (!editing) {
      if (value) body[name] = value;
    } else if (!unchanged(name, value, editing[column])) {
      body[name] = value || null;
    }
  }
  if (editing && Object.keys(body).length === 0) {
    showMessage(notice, "Nothing to save: the service is as it was.");
    return;
  }
  $("service-submit").disabled = true;
  const response = editing
    ? await call("PATCH", `${path()}/${encodeURIComponent(editing.id)}`, body)
    : await call("POST", path(), body);
  $("service-submit").disabled = false;
  if (handleSignedOut(response)) return;
  if ([200, 201].includes(response.status)) {
    const done = editing ? `Saved ${description}.` : `Added ${description}.`;
    editing = null;
    fillForm(null);
    await changed();
    showMessage(notice, done);
    refocus($("service-kind")); // ready for the next one
    return;
  }
  refocus($("service-submit"));
  showMessage(alert, errorWithFields(response, editing ? "The service was not saved" : "The service was not added"));
  if (response.status === 409) await changed();
}

$("service-kind").replaceChildren(...KINDS.map((k) => el("option", { value: k, text: statusLabel(k) })));
form.addEventListener("submit", submit);
$("service-cancel").addEventListener("click", () => {
  editing = null;
  fillForm(null);
  showMessage(alert, "");
});
