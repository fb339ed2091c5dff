// The supplier portal's booking page: what was booked, and an upload form for delivered work.
// Every text from the server goes in with textContent (through `el`), never innerHTML.
import { api, csrfToken, requireSession } from "/session.js";
import { dataTable, el, errorText, handleSignedOut, showMessage, statusBadge, text, timeElement } from "/ui.js";

const MAX_BYTES = 20 * 1024 * 1024;

const bookingId = new URLSearchParams(window.location.search).get("id");
const $ = (id) => document.getElementById(id);
const form = $("upload-form");
const fileInput = $("work-file");
const labelInput = $("work-label");
const submit = $("upload-submit");
const uploadError = $("upload-error");
const uploadDone = $("upload-done");



function sizeText(bytes) {
  if (typeof bytes !== "number") return "—";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function render(b) {
  document.title = `${b.booking_reference} · Itinera`;
  $("booking-ref").textContent = b.booking_reference;
  $("booking-status").replaceChildren(statusBadge(b.status));
  $("booking-departure").replaceChildren(timeElement(b.departure_at));
  $("booking-travelers").textContent = String((b.travelers || []).length);
  $("items").replaceChildren(
    dataTable("Items", [{ label: "Kind" }, { label: "Description" }, { label: "Starts" }, { label: "Quantity", num: true },
      { label: "Supplier status" }],
    (b.items || []).map((i) => [text(i.kind), text(i.description), timeElement(i.starts_at), text(i.quantity),
      text(i.supplier_status)]),
    "No items."),
  );
  $("documents").replaceChildren(
    dataTable("Documents", [{ label: "Document" }, { label: "Kind" }, { label: "Status" }, { label: "Date" }],
      (b.documents || []).map((d) => [text(d.label || d.filename || d.kind), text(d.kind), text(d.status),
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
  fileInput.setAttribute("aria-invalid", "true");
  showMessage(uploadError, failureText(status, body));
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
