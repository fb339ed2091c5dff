// The booking page's items: the table; each item's supplier answer (status and reference), saved
// while the booking is open; and while it is being priced, a form that adds an item and a button
// that removes one. Every change sends the booking's version (If-Match): if someone else changed
// the booking meanwhile, nothing is saved and the page reloads it.
import { call } from "/session.js";
import {
  ITEM_KINDS, currencyDigits, dataTable, el, errorWithFields, formatMoney, handleSignedOut, localInputToISO,
  parseAmountToMinor, showMessage, text, timeElement,
} from "/ui.js";

const PRICING = ["lead_created", "quotation_sent", "quotation_approved", "booking_created"];
const CLOSED = ["completed", "cancelled", "refunded"];
const SUPPLIER_STATUSES = ["pending", "requested", "confirmed", "declined", "cancelled"];

/**
 * Renders the items of `booking` into `box`. `reload()` loads the booking again after a change;
 * `notice` and `alert` are the message lines for done and failed changes.
 */
export function renderItems(box, booking, { reload, notice, alert }) {
  const pricing = PRICING.includes(booking.status);
  const open = !CLOSED.includes(booking.status);
  const path = `/api/bookings/${encodeURIComponent(booking.id)}/items`;

  async function send(method, url, body, done) {
    showMessage(alert, "");
    showMessage(notice, "");
    for (const control of box.querySelectorAll("button, select, input")) control.disabled = true;
    const response = await call(method, url, body, { "If-Match": String(booking.version) });
    if (handleSignedOut(response)) return;
    await reload();
    if (response.status === 200 || response.status === 201) {
      showMessage(notice, done);
    } else if (response.status === 412) {
      showMessage(alert, "The booking changed meanwhile; it is shown as it is now. Apply the change again.");
    } else {
      showMessage(alert, errorWithFields(response, "The item was not changed"));
    }
  }

  function supplierCell(item) {
    if (!open) return el("span", {}, text(item.supplier_status), item.supplier_reference ? ` · ${item.supplier_reference}` : "");
    const status = el("select", { "aria-label": `Supplier status of ${item.description}`, "data-field": "supplierStatus" },
      ...SUPPLIER_STATUSES.map((s) => el("option", { value: s, text: s })));
    status.value = item.supplier_status;
    const reference = el("input", {
      type: "text", maxlength: 100, autocomplete: "off", placeholder: "Reference", value: item.supplier_reference || "",
      "aria-label": `Supplier reference of ${item.description}`, "data-field": "supplierReference",
    });
    const save = el("button", { type: "button", className: "secondary", text: "Save", "data-item": item.id });
    save.addEventListener("click", () => {
      const body = {};
      if (status.value !== item.supplier_status) body.supplierStatus = status.value;
      const ref = reference.value.trim() || null;
      if (ref !== (item.supplier_reference || null)) body.supplierReference = ref;
      if (Object.keys(body).length === 0) return showMessage(notice, "Nothing changed.");
      send("PATCH", `${path}/${encodeURIComponent(item.id)}`, body, `Saved the supplier's answer for ${item.description}.`);
    });
    return el("span", { className: "supplier-answer" }, status, reference, save);
  }

  function removeButton(item) {
    const remove = el("button", {
      type: "button", className: "secondary", text: "Remove", "data-remove": item.id,
      "aria-label": `Remove ${item.description}`,
    });
    remove.addEventListener("click", () =>
      send("DELETE", `${path}/${encodeURIComponent(item.id)}`, undefined, `Removed ${item.description}.`));
    return remove;
  }

  const columns = [{ label: "Kind" }, { label: "Description" }, { label: "Starts" }, { label: "Quantity", num: true },
    { label: "Unit price", num: true }, { label: "Line total", num: true }, { label: "Supplier" }];
  if (pricing) columns.push({ label: "" });
  const rows = booking.items.map((i) => {
    const cells = [text(i.kind), text(i.description), timeElement(i.starts_at), text(i.quantity),
      formatMoney(i.unit_price_minor, booking.currency), formatMoney(i.total_minor, booking.currency), supplierCell(i)];
    if (pricing) cells.push(removeButton(i));
    return cells;
  });
  box.replaceChildren(dataTable("Items", columns, rows, "No items."));
  if (pricing) box.append(addForm(booking, (body) => send("POST", path, body, `Added ${body.description}.`), alert));
}

function addForm(booking, submit, alert) {
  const kind = el("select", { id: "add-item-kind" }, ...ITEM_KINDS.map(([value, label]) => el("option", { value, text: label })));
  const description = el("input", { id: "add-item-description", type: "text", maxlength: 500, autocomplete: "off" });
  const starts = el("input", { id: "add-item-starts", type: "datetime-local" });
  const quantity = el("input", { id: "add-item-quantity", type: "number", min: 1, max: 10000, step: 1, value: "1" });
  const price = el("input", { id: "add-item-price", type: "text", inputmode: "decimal", autocomplete: "off" });
  const field = (label, input, className) =>
    el("div", { className: `field${className ? " " + className : ""}` }, el("label", { for: input.id, text: label }), input);
  const form = el(
    "form",
    { id: "add-item", className: "inline-form", novalidate: true },
    el("h3", { text: "Add an item" }),
    el("div", { className: "row-grid" }, field("Kind", kind), field("Description", description, "field-grow"),
      field("Starts (optional)", starts), field("Quantity", quantity, "field-small"),
      field(`Unit price (${booking.currency})`, price, "field-price")),
    el("button", { id: "add-item-submit", type: "submit", text: "Add item" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const amount = parseAmountToMinor(price.value, currencyDigits(booking.currency));
    const startsAt = localInputToISO(starts.value);
    const count = Number(quantity.value);
    let problem = "";
    if (!description.value.trim()) problem = "Enter a description.";
    else if (!Number.isInteger(count) || count < 1) problem = "The quantity is a whole number from 1.";
    else if (!amount.ok) problem = `Unit price: ${amount.message}`;
    else if (startsAt === null) problem = "The start is not a date and time.";
    if (problem) return showMessage(alert, problem);
    const body = { kind: kind.value, description: description.value.trim(), quantity: count, unitPriceMinor: amount.minor };
    if (startsAt) body.startsAt = startsAt;
    submit(body);
  });
  return form;
}
