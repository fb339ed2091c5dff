// The new-booking form: customer, currency, item rows and traveler rows, a live total, and the
// server's field errors shown next to the inputs they name (`items[0].quantity` → item 1's quantity).
import { catalogPicker, describeProduct, pickedText, productStart } from "/catalog-picker.js";
import { addCustomerOptions, allCustomers } from "/directory.js";
import { call, requireSession } from "/session.js";
import {
  ITEM_KINDS,
  currencyDigits,
  el,
  errorText,
  formatMoney,
  handleSignedOut,
  isCurrencyCode,
  isStaff,
  localInputToISO,
  minorToDecimalString,
  newIdempotencyKey,
  parseAmountToMinor,
  showMessage,
} from "/ui.js";

const $ = (id) => document.getElementById(id);
const form = $("booking-form");
const loading = $("loading");
const pageError = $("page-error");
const customerSelect = $("customer");
const currencyInput = $("currency");
const notesInput = $("notes");
const internalNotesInput = $("internal-notes");
const itemsBox = $("items");
const travelersBox = $("travelers");
const totalOutput = $("total");
const submitButton = $("submit");
const summary = $("error-summary");
const summaryText = $("error-summary-text");
const errorList = $("error-list");


// The labels of the API's field names, for the error summary.
const FIELD_LABELS = {
  kind: "kind",
  description: "description",
  startsAt: "start",
  endsAt: "end",
  quantity: "quantity",
  unitPriceMinor: "unit price",
  productId: "product",
  supplierId: "supplier",
  firstName: "first name",
  lastName: "last name",
  email: "e-mail",
  phone: "phone",
};

let nextRowId = 1;
// One key per submission attempt: the same body sent again (a double click, a retry after a
// network error) reuses it, so the server answers the first booking instead of making a second.
let attempt = { body: null, key: null };
let submitting = false;
// The rows behind the body's `items` and `travelers`, in order, so `items[1].quantity` finds its row.
let sent = { items: [], travelers: [] };

/** A labelled input with its own error line, wired with aria-describedby. */
function field(labelText, input, className) {
  const errorId = `${input.id}-error`;
  input.setAttribute("aria-describedby", errorId);
  return el(
    "div",
    { className: `field${className ? " " + className : ""}` },
    el("label", { for: input.id, text: labelText }),
    input,
    el("p", { id: errorId, className: "field-error", hidden: true }),
  );
}

function itemRow() {
  const id = `item-${nextRowId++}`;
  const kind = el("select", { id: `${id}-kind`, "data-field": "kind" },
    ...ITEM_KINDS.map(([value, label]) => el("option", { value, text: label })));
  const description = el("input", { id: `${id}-description`, "data-field": "description", type: "text",
    maxlength: 500, autocomplete: "off" });
  const startsAt = el("input", { id: `${id}-startsAt`, "data-field": "startsAt", type: "datetime-local" });
  const quantity = el("input", { id: `${id}-quantity`, "data-field": "quantity", type: "number", min: 1,
    max: 10000, step: 1, value: "1", inputmode: "numeric" });
  const price = el("input", { id: `${id}-unitPriceMinor`, "data-field": "unitPriceMinor", type: "text",
    inputmode: "decimal", autocomplete: "off", placeholder: "0.00" });
  const remove = el("button", { type: "button", className: "remove secondary", text: "Remove" });
  const picked = el("p", { className: "hint picked-product", hidden: true });
  // A product picked from the catalog: the item is sold as it (its id and supplier go with it), at
  // its price when the catalog prices it in the booking's currency.
  const picker = catalogPicker((p) => {
    row.dataset.productId = p.id;
    if (p.supplier_id) row.dataset.supplierId = p.supplier_id;
    else delete row.dataset.supplierId;
    kind.value = p.kind;
    description.value = describeProduct(p);
    startsAt.value = productStart(p);
    row.dataset.productPrice = String(p.price_minor);
    row.dataset.productCurrency = p.currency;
    row.dataset.productName = p.name;
    row.dataset.productKind = p.kind;
    delete row.dataset.filledPrice; // a new pick sets its price whatever was there
    priceFromCatalog(row);
    updateTotal();
    (row.dataset.productCurrency === currencyInput.value.trim().toUpperCase() ? quantity : price).focus();
  });
  const row = el(
    "fieldset",
    { className: "item-row row-box" },
    el("legend", { text: "Item" }),
    picker,
    picked,
    el(
      "div",
      { className: "row-grid" },
      field("Kind", kind),
      field("Description", description, "field-grow"),
      field("Starts (optional)", startsAt),
      field("Quantity", quantity, "field-small"),
      field("Unit price", price, "field-price"),
      el("div", { className: "field line-total-field" },
        el("span", { className: "label-like", text: "Line total" }),
        el("output", { className: "line-total", text: "—" })),
    ),
    remove,
  );
  remove.addEventListener("click", () => removeRow(row, itemsBox, "#add-item"));
  // Another kind is not that product any more: its id and supplier stay behind, the price typed stays.
  kind.addEventListener("change", () => {
    if (!row.dataset.productId || kind.value === row.dataset.productKind) return;
    for (const key of ["productId", "supplierId", "productPrice", "productCurrency", "productName", "productKind",
      "filledPrice"]) delete row.dataset[key];
    picked.textContent = "";
    picked.hidden = true;
  });
  return row;
}

/**
 * The price of a row's catalog product in the booking's currency: its own when the catalog prices it
 * in that currency; otherwise the price is cleared and the row asks for one.
 */
function priceFromCatalog(row) {
  const { productPrice, productCurrency, productName } = row.dataset;
  if (!productCurrency) return;
  const currency = currencyInput.value.trim().toUpperCase();
  const price = row.querySelector('[data-field="unitPriceMinor"]');
  const picked = row.querySelector(".picked-product");
  picked.hidden = false;
  // A price typed by hand stays; only the one the catalog filled in follows the currency.
  if (price.value !== (row.dataset.filledPrice ?? price.value)) {
    picked.textContent = `From the catalog: ${productName}, at the price typed here.`;
    return;
  }
  price.value = productCurrency === currency ? minorToDecimalString(Number(productPrice), currencyDigits(currency)) : "";
  row.dataset.filledPrice = price.value;
  picked.textContent = pickedText(productName, Number(productPrice), productCurrency,
    isCurrencyCode(currency) ? currency : "the booking's currency");
}

function travelerRow() {
  const id = `traveler-${nextRowId++}`;
  const first = el("input", { id: `${id}-firstName`, "data-field": "firstName", type: "text", maxlength: 100,
    autocomplete: "off" });
  const last = el("input", { id: `${id}-lastName`, "data-field": "lastName", type: "text", maxlength: 100,
    autocomplete: "off" });
  const email = el("input", { id: `${id}-email`, "data-field": "email", type: "email", maxlength: 254,
    autocomplete: "off" });
  const remove = el("button", { type: "button", className: "remove secondary", text: "Remove" });
  const row = el(
    "fieldset",
    { className: "traveler-row row-box" },
    el("legend", { text: "Traveler" }),
    el(
      "div",
      { className: "row-grid" },
      field("First name", first, "field-grow"),
      field("Last name", last, "field-grow"),
      field("E-mail (optional)", email, "field-grow"),
    ),
    remove,
  );
  remove.addEventListener("click", () => removeRow(row, travelersBox, "#add-traveler"));
  return row;
}

/** Numbers the legends and names the remove buttons after the rows' current order. */
function renumber() {
  itemsBox.querySelectorAll(".item-row").forEach((row, i) => {
    row.querySelector("legend").textContent = `Item ${i + 1}`;
    row.querySelector(".remove").setAttribute("aria-label", `Remove item ${i + 1}`);
  });
  travelersBox.querySelectorAll(".traveler-row").forEach((row, i) => {
    row.querySelector("legend").textContent = `Traveler ${i + 1}`;
    row.querySelector(".remove").setAttribute("aria-label", `Remove traveler ${i + 1}`);
  });
}

function addRow(box, row) {
  box.append(row);
  renumber();
  updateTotal();
}

function removeRow(row, box, addButtonSelector) {
  const rows = [...box.children];
  const index = rows.indexOf(row);
  row.remove();
  renumber();
  updateTotal();
  // Keep the focus nearby: the row that took its place, the previous one, or the add button.
  const next = box.children[index] || box.children[index - 1];
  (next ? next.querySelector("input, select") : document.querySelector(addButtonSelector)).focus();
}

function currentCurrency() {
  const code = currencyInput.value.trim().toUpperCase();
  return isCurrencyCode(code) ? code : null;
}

/** The row's quantity and unit price in minor units, or null where they do not parse. */
function rowAmounts(row, digits) {
  const quantityText = row.querySelector('[data-field="quantity"]').value.trim();
  const quantity = /^\d+$/.test(quantityText) ? Number(quantityText) : null;
  const price = parseAmountToMinor(row.querySelector('[data-field="unitPriceMinor"]').value, digits);
  return { quantity, price };
}

function updateTotal() {
  const currency = currentCurrency();
  if (!currency) {
    totalOutput.textContent = "—";
    for (const out of itemsBox.querySelectorAll(".line-total")) out.textContent = "—";
    return;
  }
  const digits = currencyDigits(currency);
  let total = 0n;
  for (const row of itemsBox.querySelectorAll(".item-row")) {
    const { quantity, price } = rowAmounts(row, digits);
    const out = row.querySelector(".line-total");
    if (quantity === null || !price.ok) {
      out.textContent = "—";
      continue;
    }
    const line = BigInt(quantity) * BigInt(price.minor);
    out.textContent = formatMoney(line, currency);
    total += line;
  }
  totalOutput.textContent = formatMoney(total, currency);
}

// ---- errors ----------------------------------------------------------------------------------

function clearErrors() {
  for (const p of form.querySelectorAll(".field-error")) showMessage(p, "");
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  errorList.replaceChildren();
  showMessage(summaryText, "");
  summary.hidden = true;
}

function sentence(message) {
  // Under its field "is required" reads "Required."
  const text = String(message || "is not valid").replace(/^is required\b/, "required");
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}

/** The input an API field name points at, and a label for the summary. */
function locate(name) {
  if (name === "customerId") return { input: customerSelect, label: "Customer" };
  if (name === "currency") return { input: currencyInput, label: "Currency" };
  if (name === "notes") return { input: notesInput, label: "Notes" };
  if (name === "internalNotes") return { input: internalNotesInput, label: "Notes for the team" };
  if (name === "items") return { line: $("items-error"), label: "Items" };
  if (name === "travelers") return { line: $("travelers-error"), label: "Travelers" };
  const match = /^(items|travelers)\[(\d+)\]\.(\w+)$/.exec(name);
  if (match) {
    const [, list, index, key] = match;
    const box = list === "items" ? itemsBox : travelersBox;
    // The index is into the rows that were sent (blank rows are left out): find the row on screen.
    const candidate = sent[list][Number(index)];
    const row = candidate && candidate.isConnected ? candidate : null;
    const number = row ? [...box.children].indexOf(row) + 1 : Number(index) + 1;
    const label = `${list === "items" ? "Item" : "Traveler"} ${number} ${FIELD_LABELS[key] || key}`;
    const target = key === "endsAt" ? "startsAt" : key;
    const input = row ? row.querySelector(`[data-field="${target}"]`) : null;
    return { input, label };
  }
  return { label: name };
}

/** A summary line: "Customer is required", "Item 1 unit price: at most 2 decimals". */
function summaryLine(label, message) {
  return /^(is|are|must|has|cannot)\b/.test(message) ? `${label} ${message}` : `${label}: ${message}`;
}

/** Shows {fieldName: message} next to the inputs and in the summary; focuses the summary. */
function showFieldErrors(fields, intro) {
  const entries = Object.entries(fields);
  // Show them in the form's order: the order of the inputs on the page.
  const located = entries.map(([name, message]) => ({ name, message, ...locate(name) }));
  const all = [...form.querySelectorAll("input, select, textarea")];
  const position = (l) => (l.input ? all.indexOf(l.input) : l.line ? all.length : all.length + 1);
  located.sort((a, b) => position(a) - position(b));
  for (const l of located) {
    const text = sentence(l.message);
    let link = null;
    if (l.input) {
      l.input.setAttribute("aria-invalid", "true");
      showMessage(document.getElementById(`${l.input.id}-error`), text);
      link = el("a", { href: `#${l.input.id}`, text: summaryLine(l.label, l.message) });
      const input = l.input;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        input.focus();
      });
    } else if (l.line) {
      showMessage(l.line, text);
    }
    errorList.append(el("li", { "data-field": l.name }, link || summaryLine(l.label, l.message)));
  }
  const count = located.length;
  showMessage(summaryText, intro || `Fix ${count === 1 ? "this problem" : `these ${count} problems`} and submit again:`);
  summary.hidden = false;
  summary.focus();
}

function showSummaryMessage(text) {
  errorList.replaceChildren();
  showMessage(summaryText, text);
  summary.hidden = false;
  summary.focus();
}

// ---- submit ----------------------------------------------------------------------------------

function lowerFirst(text) {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The request body, or the field errors found before sending anything. */
function collect() {
  const errors = {};
  const currency = currencyInput.value.trim().toUpperCase();
  currencyInput.value = currency;
  if (!isCurrencyCode(currency)) errors.currency = "must be a three-letter ISO code such as EUR";
  const digits = currencyDigits(isCurrencyCode(currency) ? currency : "EUR");
  const body = { customerId: customerSelect.value || null, currency, items: [], travelers: [] };
  // What the server would refuse anyway is named here too, so one summary lists every problem.
  if (!body.customerId) errors.customerId = "is required";
  const notes = notesInput.value.trim();
  if (notes) body.notes = notes;
  const internalNotes = internalNotesInput.value.trim();
  if (internalNotes) body.internalNotes = internalNotes;

  // Rows left completely blank are not sent (the form starts with one empty row of each).
  const itemRows = [...itemsBox.querySelectorAll(".item-row")].filter((row) =>
    ["description", "startsAt", "unitPriceMinor"].some((f) => row.querySelector(`[data-field="${f}"]`).value.trim()));
  const travelerRows = [...travelersBox.querySelectorAll(".traveler-row")].filter((row) =>
    ["firstName", "lastName", "email"].some((f) => row.querySelector(`[data-field="${f}"]`).value.trim()));
  sent = { items: itemRows, travelers: travelerRows };

  itemRows.forEach((row, i) => {
    const value = (name) => row.querySelector(`[data-field="${name}"]`).value;
    const item = { kind: value("kind"), description: value("description").trim() };
    if (!item.description) errors[`items[${i}].description`] = "is required";
    const starts = localInputToISO(value("startsAt")); // the user's local time
    if (starts === null) errors[`items[${i}].startsAt`] = "is not a date and time";
    else if (starts) item.startsAt = starts;
    const { quantity, price } = rowAmounts(row, digits);
    if (quantity === null) errors[`items[${i}].quantity`] = "must be a whole number";
    else if (quantity < 1 || quantity > 10000) errors[`items[${i}].quantity`] = "must be from 1 to 10000";
    else item.quantity = quantity;
    if (!price.ok) errors[`items[${i}].unitPriceMinor`] = lowerFirst(price.message.replace(/\.$/, ""));
    else item.unitPriceMinor = price.minor;
    if (row.dataset.productId) item.productId = row.dataset.productId;
    if (row.dataset.supplierId) item.supplierId = row.dataset.supplierId;
    body.items.push(item);
  });
  travelerRows.forEach((row, i) => {
    const value = (name) => row.querySelector(`[data-field="${name}"]`).value.trim();
    const traveler = { firstName: value("firstName"), lastName: value("lastName") };
    if (!traveler.firstName) errors[`travelers[${i}].firstName`] = "is required";
    if (!traveler.lastName) errors[`travelers[${i}].lastName`] = "is required";
    if (value("email")) traveler.email = value("email");
    if (traveler.email && !/^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$/.test(traveler.email)) {
      errors[`travelers[${i}].email`] = "must be an e-mail address";
    }
    body.travelers.push(traveler);
  });
  return { body, errors };
}

async function submit(event) {
  event.preventDefault();
  if (submitting) return;
  clearErrors();
  const { body, errors } = collect();
  if (Object.keys(errors).length > 0) {
    showFieldErrors(errors);
    return;
  }
  const text = JSON.stringify(body);
  if (attempt.body !== text) attempt = { body: text, key: newIdempotencyKey() };

  submitting = true;
  submitButton.disabled = true;
  submitButton.textContent = "Creating…";
  const response = await call("POST", "/api/bookings", body, { "Idempotency-Key": attempt.key });
  if (handleSignedOut(response)) return;
  if (response.status === 201 && response.body && response.body.ok) {
    window.location.assign(`/booking.html?id=${encodeURIComponent(response.body.data.id)}`);
    return;
  }
  submitting = false;
  submitButton.disabled = false;
  submitButton.textContent = "Create booking";
  const error = (response.body && response.body.error) || {};
  if (error.code === "validation_failed" && error.details && error.details.fields) {
    showFieldErrors(error.details.fields);
  } else if (error.code === "idempotency_key_reused") {
    attempt = { body: null, key: null };
    showSummaryMessage("The form changed while it was being sent. Check it and submit again.");
  } else {
    showSummaryMessage(errorText(response, "The booking could not be created"));
  }
}

// ---- start -----------------------------------------------------------------------------------

async function loadCustomers() {
  const loaded = await allCustomers();
  if (!loaded.ok) {
    if (!handleSignedOut(loaded.response)) {
      showMessage(pageError, errorText(loaded.response, "The customers could not be loaded"));
    }
    return false;
  }
  const { customers } = loaded;
  addCustomerOptions(customerSelect, customers);
  $("no-customers").hidden = customers.length !== 0;
  const wanted = new URLSearchParams(window.location.search).get("customerId");
  if (wanted && customers.some((c) => c.id === wanted)) customerSelect.value = wanted;
  return true;
}

async function start() {
  const me = await requireSession();
  if (!me) return;
  if (!isStaff(me)) {
    loading.hidden = true;
    showMessage(pageError, "This page is for staff and admins of the team.");
    return;
  }
  const ok = await loadCustomers();
  loading.hidden = true;
  if (!ok) return;
  addRow(itemsBox, itemRow());
  addRow(travelersBox, travelerRow());
  $("add-item").addEventListener("click", () => {
    const row = itemRow();
    addRow(itemsBox, row);
    row.querySelector("select").focus();
  });
  $("add-traveler").addEventListener("click", () => {
    const row = travelerRow();
    addRow(travelersBox, row);
    row.querySelector("input").focus();
  });
  form.addEventListener("input", updateTotal);
  // Another currency reprices the rows taken from the catalog (or asks for their price in it).
  currencyInput.addEventListener("change", () => {
    for (const row of itemsBox.querySelectorAll(".item-row")) priceFromCatalog(row);
    updateTotal();
  });
  form.addEventListener("change", updateTotal);
  form.addEventListener("submit", submit);
  form.hidden = false;
  updateTotal();
}

start();
