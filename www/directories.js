// What each directory page edits (customers, suppliers, trips, the product catalog): its API, its words,
// its list (caption, search, empty line) and the list's columns after the name ([heading, cell]), and its form's fields — each with how it fills its input from an entry and
// turns the input back into the API's value ({ok, value} or {ok: false, message}).
import { addCustomerOptions, allCustomers, allSuppliers } from "/directory.js";
import {
  ITEM_KINDS, currencyDigits, el, formatMoney, isCurrencyCode, isoToLocalInput, localInputToISO, minorToDecimalString,
  parseAmountToMinor, statusBadge, statusLabel, text, timeElement,
} from "/ui.js";

// The kinds the API takes for a supplier (DirectoryHandlers.supplierKinds).
const SUPPLIER_KINDS = ["airline", "hotel", "operator", "guide", "photographer", "driver", "other"];

const $ = (id) => document.getElementById(id);

/** A text field (`column` in the entry's JSON); blank is no value. */
function textField(name, column = name, change = (v) => v) {
  return { name, read: (e) => e[column] || "", write: (v) => ({ ok: true, value: change(v.trim()) || null }) };
}

function dateTimeField(name, column) {
  return {
    name,
    read: (e) => isoToLocalInput(e[column]),
    write: (v) => {
      if (!v) return { ok: true, value: null };
      const iso = localInputToISO(v);
      return iso ? { ok: true, value: iso } : { ok: false, message: "Enter a date and time." };
    },
  };
}

/** The decimal price in the currency the form names ("89.50 EUR" is 8950). */
const priceField = {
  name: "priceMinor",
  read: (e) => minorToDecimalString(e.price_minor, currencyDigits(e.currency)),
  write: (v) => {
    const currency = $("entry-currency").value.trim().toUpperCase();
    const parsed = parseAmountToMinor(v, currencyDigits(isCurrencyCode(currency) ? currency : "EUR"));
    return parsed.ok ? { ok: true, value: parsed.minor } : { ok: false, message: parsed.message };
  },
};

/** A date field ("2027-03-09"): a date input's value is the API's. */
function dateField(name, column) {
  return { name, read: (e) => (e[column] || "").slice(0, 10), write: (v) => ({ ok: true, value: v || null }) };
}

const login = (e) => (e.user_id ? "Yes" : "—");

// The team's customers by id, for the trips' list (loaded by its prepare).
const customerNames = new Map();

/** The options of a kind select. */
function fillKinds(kinds) {
  $("entry-kind").replaceChildren(...kinds.map(([value, label]) => el("option", { value, text: label })));
}

/** A trip's bookings, as links to their pages. */
function tripBookings(trip) {
  const bookings = trip.bookings || [];
  if (bookings.length === 0) return el("p", { className: "muted", text: "No bookings on this trip yet." });
  return el("div", {}, el("h3", { text: "Its bookings" }), el("ul", { className: "trip-bookings" },
    ...bookings.map((b) => el("li", {},
      el("a", { href: `/booking.html?id=${encodeURIComponent(b.id)}`, text: b.booking_reference }), " ",
      statusBadge(b.status), " ", timeElement(b.departure_at), " ", formatMoney(b.total_minor, b.currency)))));
}

export const DIRECTORIES = {
  customers: {
    path: "/api/customers",
    one: "customer",
    remove: {
      verb: "Delete",
      question: (name) => `Delete ${name}? Their leads and trips stay, without a customer.`,
      done: (name) => `Deleted ${name}.`,
    },
    fields: [textField("name"), textField("email"), textField("phone"), textField("notes")],
    list: { caption: "Customers by name", search: "Search customers", empty: "No customers found." },
    columns: [["Email", (c) => text(c.email)], ["Phone", (c) => text(c.phone)], ["Portal login", login]],
    prepare: async () => true,
  },
  suppliers: {
    path: "/api/suppliers",
    one: "supplier",
    remove: { verb: "Delete", question: (name) => `Delete ${name}?`, done: (name) => `Deleted ${name}.` },
    fields: [textField("name"), { ...textField("kind"), initial: "other" }, textField("email"), textField("phone")],
    list: { caption: "Suppliers by name", search: "Search suppliers", empty: "No suppliers found." },
    columns: [["Kind", (s) => statusLabel(s.kind)], ["Email", (s) => text(s.email)], ["Portal login", login]],
    prepare: async () => {
      fillKinds(SUPPLIER_KINDS.map((k) => [k, statusLabel(k)]));
      return true;
    },
  },
  trips: {
    path: "/api/trips",
    one: "trip",
    fields: [textField("name"), textField("customerId", "customer_id"), dateField("startsOn", "starts_on"),
      dateField("endsOn", "ends_on")],
    list: { caption: "Trips, soonest first", search: null, empty: "No trips yet." },
    columns: [
      ["Customer", (t) => (t.customer_id ? customerNames.get(t.customer_id) || "Another customer" : "—")],
      ["Starts on", (t) => text(t.starts_on)], ["Ends on", (t) => text(t.ends_on)],
    ],
    details: tripBookings,
    prepare: async () => {
      const loaded = await allCustomers();
      if (!loaded.ok) return loaded.response;
      for (const c of loaded.customers) customerNames.set(c.id, c.name);
      const select = $("entry-customerId");
      select.replaceChildren(el("option", { value: "", text: "No customer" }));
      addCustomerOptions(select, loaded.customers);
      return true;
    },
  },
  products: {
    path: "/api/products",
    one: "product",
    remove: {
      verb: "Archive",
      question: (name) => `Archive ${name}? It leaves the catalog and search; bookings keep it.`,
      done: (name) => `Archived ${name}.`,
    },
    fields: [
      textField("name"),
      // A product keeps its kind and currency (its bookings were priced in it).
      { ...textField("kind"), initial: "activity", fixed: true },
      textField("description"),
      textField("city"),
      textField("origin", "origin", (v) => v.toUpperCase()),
      textField("destination", "destination", (v) => v.toUpperCase()),
      dateTimeField("startsAt", "starts_at"),
      dateTimeField("endsAt", "ends_at"),
      priceField,
      { ...textField("currency", "currency", (v) => v.toUpperCase()), initial: "EUR", fixed: true },
      textField("supplierId", "supplier_id"),
    ],
    list: { caption: "The catalog by name", search: "Search the catalog", empty: "No products found." },
    columns: [
      ["Kind", (p) => statusLabel(p.kind)],
      ["Where", (p) => (p.origin || p.destination ? `${p.origin || "?"} → ${p.destination || "?"}` : text(p.city))],
      ["Starts", (p) => timeElement(p.starts_at)],
      ["Price", (p) => formatMoney(p.price_minor, p.currency)],
    ],
    /** The kinds, and the team's suppliers to choose from; false when they could not be loaded. */
    prepare: async () => {
      fillKinds(ITEM_KINDS);
      // The price's example follows the currency's decimals (JPY 8950, EUR 89.50, KWD 89.500).
      const currency = $("entry-currency");
      const example = () => {
        const code = currency.value.trim().toUpperCase();
        const digits = currencyDigits(isCurrencyCode(code) ? code : "EUR");
        $("entry-priceMinor").placeholder = digits === 0 ? "8950" : `89.${"50".padEnd(digits, "0").slice(0, digits)}`;
      };
      currency.addEventListener("input", example);
      const loaded = await allSuppliers();
      if (!loaded.ok) return loaded.response;
      $("entry-supplierId").replaceChildren(el("option", { value: "", text: "No supplier" }),
        ...loaded.suppliers.map((s) => el("option", { value: s.id, text: s.name })));
      return true;
    },
  },
};
