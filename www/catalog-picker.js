// "From the catalog": a search of the team's products by name whose results fill an item form
// (kind, description, start, price, supplier), so an item is sold as the catalog has it.
import { call } from "/session.js";
import { el, formatMoney, handleSignedOut, isoToLocalInput, statusLabel } from "/ui.js";

let nextId = 1;

/** Where and when a product is, in a few words: "LIS → FNC", "Funchal". */
function place(p) {
  if (p.origin || p.destination) return `${p.origin || "?"} → ${p.destination || "?"}`;
  return p.city || "";
}

/**
 * The picker: a search field and up to 8 matching products; `onPick(product)` fills the form.
 * `id` names the search field (a form built again keeps it); returns the element to place above
 * the form's fields.
 */
export function catalogPicker(onPick, id = `catalog-search-${nextId++}`) {
  const input = el("input", {
    id, type: "search", autocomplete: "off", placeholder: "Search the catalog by name", "aria-describedby": `${id}-status`,
  });
  const status = el("p", { id: `${id}-status`, className: "muted", role: "status", "aria-live": "polite" });
  const results = el("ul", { className: "catalog-results" });
  let typing = null;
  let asked = 0;

  async function search() {
    const words = input.value.trim();
    const mine = ++asked;
    if (words.length < 2) {
      results.replaceChildren();
      status.textContent = "";
      return;
    }
    status.textContent = "Searching…";
    const response = await call("GET", `/api/products?limit=8&q=${encodeURIComponent(words)}`);
    if (mine !== asked || handleSignedOut(response)) return;
    if (!(response.status === 200 && response.body && response.body.ok)) {
      status.textContent = "The catalog could not be searched.";
      return;
    }
    const products = response.body.data.items;
    const more = Boolean(response.body.data.nextCursor);
    status.textContent = products.length === 0 ? "Nothing in the catalog by that name."
      : more ? `The first ${products.length} matches: type more of the name to find others.` : "";
    results.replaceChildren(...products.map((p) => {
      const facts = [statusLabel(p.kind), place(p), formatMoney(p.price_minor, p.currency)].filter(Boolean);
      const pick = el("button", { type: "button", className: "secondary catalog-pick", "data-product-id": p.id },
        p.name, el("span", { className: "muted", text: ` · ${facts.join(" · ")}` }));
      pick.addEventListener("click", () => {
        results.replaceChildren();
        input.value = "";
        status.textContent = "";
        onPick(p);
      });
      return el("li", {}, pick);
    }));
  }

  input.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(search, 250);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // a search, not the item form's submit
      clearTimeout(typing);
      search();
    }
  });
  return el("div", { className: "field catalog-picker" }, el("label", { for: id, text: "From the catalog" }), input,
    status, results);
}

/** A picked product's start as a datetime-local value: a hotel's dates say when it can be booked, not when the stay starts. */
export function productStart(p) {
  return p.kind === "hotel" ? "" : isoToLocalInput(p.starts_at);
}

/** The line under a picked product: its name, and what its price needs when it is in another currency. */
export function pickedText(name, price, priceCurrency, currency) {
  return priceCurrency === currency
    ? `From the catalog: ${name}.`
    : `From the catalog: ${name}, priced ${formatMoney(price, priceCurrency)}: enter its price in ${currency}.`;
}

/** Where a picked product's description comes from: its name, and its place when it has one. */
export function describeProduct(p) {
  return place(p) && !p.name.includes(place(p)) ? `${p.name}, ${place(p)}` : p.name;
}
