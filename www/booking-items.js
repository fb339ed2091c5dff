// The booking page's items: the table; each item's supplier (one of the team's) and its answer
// (status and reference), saved while the booking is open; and until it is paid for, a form that
// adds an item (what is typed in it outlives the page's reloads) and a button that removes one. Every change sends the booking's version (If-Match): if someone else changed
// the booking meanwhile, nothing is saved and the page reloads it.
import { catalogPicker, describeProduct, pickedText, productStart } from "/catalog-picker.js";
import { call } from "/session.js";
import {
  CLOSED_STATUSES, ITEM_KINDS, currencyDigits, dataTable, el, errorText, errorWithFields, formatMoney, handleSignedOut,
  localInputToISO, minorToDecimalString, parseAmountToMinor, refocus, showMessage, statusLabel, text, timeElement,
} from "/ui.js";

const PRICING = ["lead_created", "quotation_sent", "quotation_approved", "booking_created", "payment_pending"];
const SUPPLIER_STATUSES = ["pending", "requested", "confirmed", "declined", "cancelled"];

/** A select of the team's suppliers, "No supplier" first, showing `current`. */
function supplierSelect(suppliers, current, props) {
  const select = el("select", props, el("option", { value: "", text: "No supplier" }),
    ...suppliers.map((s) => el("option", { value: s.id, text: s.name })));
  // A supplier no longer in the list (removed meanwhile) stays shown as it is.
  if (current && !suppliers.some((s) => s.id === current)) select.append(el("option", { value: current, text: "Another supplier" }));
  select.value = current || "";
  return select;
}

/** The names of the items' suppliers that have a portal login not assigned to the booking. */
function unassignedSuppliers(booking, suppliers) {
  const assigned = new Set((booking.assignments || []).map((a) => a.user_id));
  const names = new Set();
  for (const item of booking.items || []) {
    const supplier = suppliers.find((s) => s.id === item.supplier_id);
    if (supplier && supplier.user_id && !assigned.has(supplier.user_id)) names.add(supplier.name);
  }
  return [...names];
}

/**
 * Renders the items of `booking` into `box`; `suppliers` are the team's suppliers to choose from.
 * `reload()` loads the booking again after a change; `notice` and `alert` are the message lines for
 * done and failed changes.
 */
export function renderItems(box, booking, { suppliers = [], reload, notice, alert }) {
  const pricing = PRICING.includes(booking.status);
  const open = !CLOSED_STATUSES.includes(booking.status);
  const path = `/api/bookings/${encodeURIComponent(booking.id)}/items`;

  const controls = () => box.querySelectorAll("button, select, input");

  /** Reloads the booking; when that fails, the controls on screen work again. */
  async function reloadOrEnable() {
    let ok = false;
    try {
      ok = await reload();
    } catch {
      ok = false;
    }
    if (!ok) for (const control of controls()) control.disabled = false;
  }

  // A change that went through, or one refused because the booking moved on (412, 409), reloads
  // the booking; a refused input (400, 422) or a network failure keeps what was typed.
  // `again` finds the control that would make the change again, if the booking still allows it.
  // `succeeded()` runs before the reload when the change went through.
  async function send(method, url, body, done, again, succeeded = () => {}) {
    showMessage(alert, "");
    showMessage(notice, "");
    for (const control of controls()) control.disabled = true;
    const response = await call(method, url, body, { "If-Match": String(booking.version) });
    if (handleSignedOut(response)) return;
    if (response.status === 200 || response.status === 201) {
      succeeded();
      await reloadOrEnable();
      showMessage(notice, done);
      // After an add the emptied form is ready for the next item; otherwise the control that
      // made the change, while it is there.
      refocus((method !== "POST" && box.querySelector(again)) || box.querySelector("#add-item-catalog")
        || box.querySelector("button, select, input"));
    } else if (response.status === 412 || response.status === 409 || response.status === 404) {
      await reloadOrEnable();
      const possible = box.querySelector(again) !== null;
      showMessage(alert, response.status === 412
        ? `The booking changed meanwhile; it is shown as it is now. ${possible
          ? "Apply the change again." : "This change is no longer possible here."}`
        : errorText(response, "The item was not changed"));
      refocus(box.querySelector(again) || box.querySelector("button, select, input"));
    } else {
      for (const control of controls()) control.disabled = false;
      showMessage(alert, errorWithFields(response, "The item was not changed"));
      refocus(box.querySelector(again));
    }
  }

  const supplierName = (id) => (suppliers.find((s) => s.id === id) || {}).name;

  function supplierCell(item) {
    if (!open) {
      return el("span", {}, text(supplierName(item.supplier_id) || (item.supplier_id ? "A supplier" : "No supplier")),
        ` · ${statusLabel(item.supplier_status)}`, item.supplier_reference ? ` · ${item.supplier_reference}` : "");
    }
    const supplier = supplierSelect(suppliers, item.supplier_id, {
      "aria-label": `Supplier of ${item.description}`, "data-field": "supplierId",
    });
    const status = el("select", { "aria-label": `Supplier status of ${item.description}`, "data-field": "supplierStatus" },
      ...SUPPLIER_STATUSES.map((s) => el("option", { value: s, text: statusLabel(s) })));
    status.value = item.supplier_status;
    const reference = el("input", {
      type: "text", maxlength: 100, autocomplete: "off", placeholder: "Reference", value: item.supplier_reference || "",
      "aria-label": `Supplier reference of ${item.description}`, "data-field": "supplierReference",
    });
    const save = el("button", {
      type: "button", className: "secondary", text: "Save", "data-item": item.id,
      "aria-label": `Save the supplier's answer for ${item.description}`,
    });
    save.addEventListener("click", () => {
      const body = {};
      if ((supplier.value || null) !== (item.supplier_id || null)) body.supplierId = supplier.value || null;
      if (status.value !== item.supplier_status) body.supplierStatus = status.value;
      const ref = reference.value.trim() || null;
      if (ref !== (item.supplier_reference || null)) body.supplierReference = ref;
      if (Object.keys(body).length === 0) {
        showMessage(alert, "");
        return showMessage(notice, "Nothing changed.");
      }
      const done = Object.keys(body).every((k) => k === "supplierId")
        ? `Saved the supplier of ${item.description}.` : `Saved the supplier's answer for ${item.description}.`;
      send("PATCH", `${path}/${encodeURIComponent(item.id)}`, body, done, `[data-item="${item.id}"]`);
    });
    reference.addEventListener("keydown", (event) => {
      if (event.key === "Enter") save.click();
    });
    return el("span", { className: "supplier-answer" }, supplier, status, reference, save);
  }

  function removeButton(item) {
    const remove = el("button", {
      type: "button", className: "secondary", text: "Remove", "data-remove": item.id,
      "aria-label": `Remove ${item.description}`,
    });
    remove.addEventListener("click", () =>
      send("DELETE", `${path}/${encodeURIComponent(item.id)}`, undefined, `Removed ${item.description}.`,
        `[data-remove="${item.id}"]`));
    return remove;
  }

  const columns = [{ label: "Kind" }, { label: "Description" }, { label: "Starts" }, { label: "Quantity", num: true },
    { label: "Unit price", num: true }, { label: "Line total", num: true }, { label: "Supplier" }];
  if (pricing) columns.push({ label: "Actions" });
  const rows = booking.items.map((i) => {
    const cells = [statusLabel(i.kind), text(i.description), timeElement(i.starts_at), text(i.quantity),
      formatMoney(i.unit_price_minor, booking.currency), formatMoney(i.total_minor, booking.currency), supplierCell(i)];
    if (pricing) cells.push(removeButton(i));
    return cells;
  });
  // The add form is built anew with the booking; what was typed in it (another panel's save or a
  // colleague's change reloads the booking) goes into the new one, and so does the focus.
  const draft = draftOf(box.querySelector("#add-item"), booking);
  box.replaceChildren(dataTable("Items", columns, rows, "No items."));
  const unseen = unassignedSuppliers(booking, suppliers);
  if (open && unseen.length > 0) {
    box.append(el("p", {
      className: "notice notice-warning", id: "items-unassigned",
      text: `${unseen.join(", ")} ${unseen.length === 1 ? "delivers an item here but is" : "deliver items here but are"} `
        + "not assigned to this booking, so they can neither see it nor answer in their portal: assign them under "
        + "Assigned suppliers.",
    }));
  }
  if (pricing) {
    const form = addForm(booking, suppliers, (body, added) => send("POST", path, body, `Added ${body.description}.`,
      "#add-item", () => { added.dataset.added = "true"; }), alert, notice, draft);
    box.append(form);
    if (draft) restoreFocus(form, draft.focus); // once on the page: a detached input takes no focus
  }
}

const DRAFT_FIELDS = ["add-item-catalog", "add-item-kind", "add-item-description", "add-item-starts", "add-item-quantity", "add-item-price",
  "add-item-supplier"];

/** What is typed in the add `form` on screen for `booking` (null when there is none, or it was just added). */
function draftOf(form, booking) {
  if (!form || form.dataset.booking !== booking.id || form.dataset.added === "true") return null;
  const values = Object.fromEntries(DRAFT_FIELDS.map((id) => [id, form.querySelector(`#${id}`).value]));
  // A price typed for another currency means another amount: the booking's currency was changed.
  if (form.dataset.currency !== booking.currency) values["add-item-price"] = "";
  const focused = form.contains(document.activeElement) ? document.activeElement : null;
  return {
    values, product: pickedProduct(form),
    focus: focused && focused.id ? { id: focused.id, start: focused.selectionStart, end: focused.selectionEnd } : null,
  };
}

/** Puts a draft's values into the new add `form`; `usePicked` takes over its catalog product. */
function restoreValues(form, draft, usePicked) {
  for (const [id, value] of Object.entries(draft.values)) {
    const input = form.querySelector(`#${id}`);
    // A supplier removed meanwhile is not chosen again.
    if (input.tagName !== "SELECT" || [...input.options].some((o) => o.value === value)) input.value = value;
  }
  // A search being typed shows its results again.
  const search = form.querySelector("#add-item-catalog");
  if (search.value.trim()) search.dispatchEvent(new Event("input"));
  if (draft.product) usePicked(draft.product);
}

function restoreFocus(form, focus) {
  const input = focus && form.querySelector(`#${CSS.escape(focus.id)}`);
  if (!input) return;
  input.focus();
  if (typeof focus.start === "number" && typeof input.setSelectionRange === "function") {
    try {
      input.setSelectionRange(focus.start, focus.end);
    } catch {
      // Inputs without a text selection (number, date) keep the caret where the browser puts it.
    }
  }
}

/** The catalog product the add `form`'s item is sold as, if one was picked. */
function pickedProduct(form) {
  return form.dataset.product ? JSON.parse(form.dataset.product) : null;
}

/** The add form; `draft` (from `draftOf`) is what the form it replaces held. */
function addForm(booking, suppliers, submit, alert, notice, draft) {
  const kind = el("select", { id: "add-item-kind" }, ...ITEM_KINDS.map(([value, label]) => el("option", { value, text: label })));
  const description = el("input", { id: "add-item-description", type: "text", maxlength: 500, autocomplete: "off" });
  const starts = el("input", { id: "add-item-starts", type: "datetime-local" });
  const quantity = el("input", { id: "add-item-quantity", type: "number", min: 1, max: 10000, step: 1, value: "1" });
  const price = el("input", { id: "add-item-price", type: "text", inputmode: "decimal", autocomplete: "off" });
  const supplier = supplierSelect(suppliers, null, { id: "add-item-supplier" });
  const field = (label, input, className) =>
    el("div", { className: `field${className ? " " + className : ""}` }, el("label", { for: input.id, text: label }), input);
  // A product picked from the catalog: the item is sold as that product (its id goes with it), at its
  // price when the catalog prices it in the booking's currency.
  // It is kept on the form (`data-product`), so a form built again takes it over.
  const picked = el("p", { id: "add-item-product", className: "hint", hidden: true });
  const usePicked = (p) => {
    form.dataset.product = JSON.stringify({ id: p.id, kind: p.kind, name: p.name, price_minor: p.price_minor, currency: p.currency });
    picked.textContent = pickedText(p.name, p.price_minor, p.currency, booking.currency);
    picked.hidden = false;
  };
  // Another kind is not that product any more.
  kind.addEventListener("change", () => {
    const product = pickedProduct(form);
    if (!product || kind.value === product.kind) return;
    delete form.dataset.product;
    picked.textContent = "";
    picked.hidden = true;
  });
  const picker = catalogPicker((p) => {
    usePicked(p);
    kind.value = p.kind;
    description.value = describeProduct(p);
    starts.value = productStart(p);
    const samePrice = p.currency === booking.currency;
    price.value = samePrice ? minorToDecimalString(p.price_minor, currencyDigits(p.currency)) : "";
    supplier.value = p.supplier_id && [...supplier.options].some((o) => o.value === p.supplier_id) ? p.supplier_id : "";
    (samePrice ? quantity : price).focus();
  }, "add-item-catalog");
  const form = el(
    "form",
    { id: "add-item", className: "inline-form", novalidate: true },
    el("h3", { text: "Add an item" }),
    picker,
    picked,
    el("div", { className: "row-grid" }, field("Kind", kind), field("Description", description, "field-grow"),
      field("Starts (optional)", starts), field("Quantity", quantity, "field-small"),
      field(`Unit price (${booking.currency})`, price, "field-price"), field("Supplier", supplier, "field-supplier")),
    el("button", { id: "add-item-submit", type: "submit", text: "Add item" }),
  );
  form.dataset.booking = booking.id;
  form.dataset.currency = booking.currency;
  if (draft) restoreValues(form, draft, usePicked);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const amount = parseAmountToMinor(price.value, currencyDigits(booking.currency));
    const startsAt = localInputToISO(starts.value);
    const count = Number(quantity.value);
    let problem = "";
    if (!description.value.trim()) problem = "Enter a description.";
    else if (!Number.isInteger(count) || count < 1 || count > 10000) problem = "The quantity is a whole number from 1 to 10000.";
    else if (!amount.ok) problem = `Unit price: ${amount.message}`;
    else if (amount.minor > 1e12) problem = "Unit price: the amount is too large.";
    else if (startsAt === null) problem = "The start is not a date and time.";
    if (problem) {
      showMessage(notice, "");
      return showMessage(alert, problem);
    }
    const body = { kind: kind.value, description: description.value.trim(), quantity: count, unitPriceMinor: amount.minor };
    if (startsAt) body.startsAt = startsAt;
    if (supplier.value) body.supplierId = supplier.value;
    const product = pickedProduct(form);
    if (product) body.productId = product.id;
    submit(body, form);
  });
  return form;
}
