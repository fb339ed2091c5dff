// The team's customers for a picker: every page of the list (500 a page, by name), up to 10,000.
import { call } from "/session.js";
import { el } from "/ui.js";

/** Resolves to {ok: true, customers} or {ok: false, response} (the failed answer). */
export async function allCustomers() {
  const customers = [];
  let cursor = null;
  for (let page = 0; page < 20; page += 1) {
    const query = "/api/customers?limit=500" + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
    const response = await call("GET", query);
    if (!(response.status === 200 && response.body && response.body.ok)) return { ok: false, response };
    customers.push(...response.body.data.items);
    cursor = response.body.data.nextCursor;
    if (!cursor) break;
  }
  return { ok: true, customers };
}

/** Appends one option per customer to `select` ("Name (email)"). */
export function addCustomerOptions(select, customers) {
  for (const customer of customers) {
    const label = customer.email ? `${customer.name} (${customer.email})` : customer.name;
    select.append(el("option", { value: customer.id, text: label }));
  }
}
