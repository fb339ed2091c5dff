// The supplier portal's booking page: what was booked, the supplier's answer for its own items
// (confirmed, declined, cancelled, and its reference), and an upload form for delivered work.
// Every text from the server goes in with textContent (through `el`), never innerHTML.
import { api, call, csrfToken, requireSession } from "/session.js";
import {
  CLOSED_STATUSES, dataTable, documentCell, el, errorText, errorWithFields, groundServicesTable, handleSignedOut, showMessage,
  statusLabel, supplierStatusBadge, supplierStatusLabel, text, timeElement,
} from "/ui.js";

const MAX_BYTES = 20 * 1024 * 1024;

const bookingId = new URLSearchParams(window.location.search).get("id");
const $ = (id) => document.getElementById(id);
const form = $("upload-form");
const fileInput = $("work-file");
const labelInput = $("work-label");
const submit = $("upload-submit");
const uploadError = $("upload-error");
const uploadDone = $("upload-done");
const itemsNotice = $("items-notice");
const itemsError = $("items-error");

const ANSWERS = [["confirmed", "Confirmed"], ["declined", "Declined"], ["cancelled", "Cancelled"]];

function sizeText(bytes) {
  if (typeof bytes !== "number") return "—";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The answer controls for an item of the supplier's own, while the booking is open: a status (the
 * current one first when it is still staff's, such as pending), a reference and Save. Other items
 * show their status only.
 */
function answerCell(b, item) {
  if (!item.yours || CLOSED_STATUSES.includes(b.status)) {
    return el("span", {}, statusLabel(item.supplier_status), item.supplier_reference ? ` · ${item.supplier_reference}` : "");
  }
  const status = el("select", { "aria-label": `Your answer for ${item.description}`, "data-field": "supplierStatus" });
  if (!ANSWERS.some(([value]) => value === item.supplier_status)) {
    status.append(el("option", { value: "", text: `${statusLabel(item.supplier_status)}: choose an answer` }));
  }
  status.append(...ANSWERS.map(([value, label]) => el("option", { value, text: label })));
  status.value = ANSWERS.some(([value]) => value === item.supplier_status) ? item.supplier_status : "";
  const reference = el("input", {
    type: "text", maxlength: 100, autocomplete: "off", placeholder: "Your reference", value: item.supplier_reference || "",
    "aria-label": `Your reference for ${item.description}`, "data-field": "supplierReference",
  });
  const save = el("button", {
    type: "button", className: "secondary", text: "Save", "data-item": item.id,
    "aria-label": `Save your answer for ${item.description}`,
  });
  save.addEventListener("click", () => {
    const body = {};
    if (status.value && status.value !== item.supplier_status) body.supplierStatus = status.value;
    const ref = reference.value.trim() || null;
    if (ref !== (item.supplier_reference || null)) body.supplierReference = ref;
    showMessage(itemsError, "");
    showMessage(itemsNotice, "");
    if (Object.keys(body).length === 0) {
      showMessage(itemsError, status.value ? "Nothing changed." : "Choose confirmed, declined or cancelled.");
      return;
    }
    answer(b, item, body);
  });
  reference.addEventListener("keydown", (event) => {
    if (event.key === "Enter") save.click();
  });
  return el("span", { className: "supplier-answer" }, status, reference, save);
}

/** Sends an answer; the agency is told. A booking changed meanwhile is shown again as it is now. */
async function answer(b, item, body) {
  const controls = $("items").querySelectorAll("button, select, input");
  for (const control of controls) control.disabled = true;
  const path = `/api/supplier/bookings/${encodeURIComponent(b.id)}/items/${encodeURIComponent(item.id)}`;
  const response = await call("PATCH", path, body, { "If-Match": String(b.version) });
  if (handleSignedOut(response)) return;
  if (response.status === 200 && response.body && response.body.ok) {
    render(response.body.data);
    showMessage(itemsNotice, `Saved your answer for ${item.description}. The agency has been told.`);
  } else if ([404, 409, 412].includes(response.status)) {
    await load();
    const possible = $("items").querySelector(`button[data-item="${item.id}"]`) !== null;
    showMessage(itemsError, response.status === 412
      ? `The booking changed meanwhile; it is shown as it is now. ${possible
        ? "Give your answer again." : "It can no longer be answered here."}`
      : errorText(response, "Your answer was not saved"));
  } else {
    for (const control of controls) control.disabled = false;
    showMessage(itemsError, errorWithFields(response, "Your answer was not saved"));
  }
}

function render(b) {
  document.title = `${b.booking_reference} · Itinera`;
  $("booking-ref").textContent = b.booking_reference;
  $("booking-status").replaceChildren(supplierStatusBadge(b.status));
  // Work sent after the trip (a completed booking) is wanted; a booking called off takes none.
  const calledOff = b.status === "cancelled" || b.status === "refunded";
  for (const control of form.elements) control.disabled = calledOff;
  showMessage($("upload-closed"),
    calledOff ? `This booking is ${supplierStatusLabel(b.status).toLowerCase()}: it takes no delivered work.` : "");
  $("booking-departure").replaceChildren(timeElement(b.departure_at));
  $("booking-travelers").textContent = String((b.travelers || []).length);
  $("services").replaceChildren(groundServicesTable(b.ground_services, true));
  $("items").replaceChildren(
    dataTable("Items", [{ label: "Kind" }, { label: "Description" }, { label: "Starts" }, { label: "Quantity", num: true },
      { label: "Supplier status" }],
    (b.items || []).map((i) => [statusLabel(i.kind), text(i.description), timeElement(i.starts_at), text(i.quantity),
      answerCell(b, i)]),
    "No items."),
  );
  $("documents").replaceChildren(
    dataTable("Documents", [{ label: "Document" }, { label: "Kind" }, { label: "Status" }, { label: "Date" }],
      (b.documents || []).map((d) => [documentCell(d), statusLabel(d.kind), statusLabel(d.status),
        timeElement(d.created_at)]),
      "No documents yet."),
  );
}

async function load() {
  const response = await api("GET", `/api/supplier/bookings/${encodeURIComponent(bookingId)}`);
  $("loading").hidden = true;
  if (handleSignedOut(response)) return false;
  if (response.status === 404) {
    showMessage($("booking-error"), "Booking not found, or not assigned to you.");
    return false;
  }
  if (!(response.status === 200 && response.body && response.body.ok)) {
    showMessage($("booking-error"), response.status === 403
      ? "This page is for suppliers."
      : errorText(response, "The booking could not be loaded"));
    return false;
  }
  render(response.body.data);
  $("booking").hidden = false;
  return true;
}

/** The upload's answer as a sentence for the supplier. */
function failureText(status, body) {
  const message = body && body.error && body.error.message;
  if (status === 415) return message || "Upload a JPEG, PNG, PDF or ZIP file.";
  if (status === 413) return "The file is too large: at most 20 MiB.";
  return errorText({ status, body }, "The upload failed");
}

async function upload(event) {
  event.preventDefault();
  showMessage(uploadError, "");
  showMessage(uploadDone, "");
  fileInput.removeAttribute("aria-invalid");
  const file = fileInput.files && fileInput.files[0];
  if (!file) {
    showMessage(uploadError, "Choose a file to upload.");
    fileInput.setAttribute("aria-invalid", "true");
    fileInput.focus();
    return;
  }
  if (file.size > MAX_BYTES) {
    showMessage(uploadError, failureText(413, null));
    fileInput.setAttribute("aria-invalid", "true");
    return;
  }
  const data = new FormData();
  data.append("file", file, file.name);
  const label = labelInput.value.trim();
  if (label) data.append("work", label);
  submit.disabled = true;
  $("upload-status").textContent = "Uploading…";
  let status = 0;
  let body = null;
  try {
    const response = await fetch(`/api/supplier/bookings/${encodeURIComponent(bookingId)}/work`, {
      method: "POST",
      headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
      body: data,
      credentials: "same-origin",
      cache: "no-store",
    });
    status = response.status;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
  } catch (failure) {
    body = { error: { message: `the service is not reachable (${failure.message})` } };
  }
  submit.disabled = false;
  $("upload-status").textContent = "";
  if (handleSignedOut({ status })) return;
  if (status === 201 && body && body.ok) {
    const d = body.data;
    form.reset();
    labelInput.value = label || "photos";
    await load();
    showMessage(uploadDone, `Uploaded ${d.label || "the file"} (${sizeText(d.size_bytes)}). The customer has been told.`);
    return;
  }
  showMessage(uploadError, failureText(status, body));
  // Called off meanwhile: show the booking as it is now (the form closes with the reason).
  if (status === 409) {
    await load();
    return;
  }
  fileInput.setAttribute("aria-invalid", "true");
}

async function start() {
  const me = await requireSession();
  if (!me) return;
  if (!bookingId) {
    $("loading").hidden = true;
    showMessage($("booking-error"), "Booking not found.");
    return;
  }
  form.addEventListener("submit", upload);
  await load();
}

start();
