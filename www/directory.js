// The team's customers and suppliers for pickers: every page of their lists (500 a page, by name),
// up to 10,000 each.
import { call } from "/session.js";
import { el } from "/ui.js";

/** Resolves to {ok: true, rows} or {ok: false, response} (the failed answer). */
async function allRows(path) {
  const rows = [];
  let cursor = null;
  for (let page = 0; page < 20; page += 1) {
    const response = await call("GET", `${path}?limit=500` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""));
    if (!(response.status === 200 && response.body && response.body.ok)) return { ok: false, response };
    rows.push(...response.body.data.items);
    cursor = response.body.data.nextCursor;
    if (!cursor) break;
  }
  return { ok: true, rows };
}

/** Resolves to {ok: true, customers} or {ok: false, response}. */
export async function allCustomers() {
  const loaded = await allRows("/api/customers");
  return loaded.ok ? { ok: true, customers: loaded.rows } : loaded;
}

/** Resolves to {ok: true, suppliers} or {ok: false, response}. */
export async function allSuppliers() {
  const loaded = await allRows("/api/suppliers");
  return loaded.ok ? { ok: true, suppliers: loaded.rows } : loaded;
}

/** Appends one option per customer to `select` ("Name (email)"). */
export function addCustomerOptions(select, customers) {
  for (const customer of customers) {
    const label = customer.email ? `${customer.name} (${customer.email})` : customer.name;
    select.append(el("option", { value: customer.id, text: label }));
  }
}
