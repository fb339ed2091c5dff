// A list that loads page by page with the API's cursor: the first page on `load(true)` (with the
// filters of that moment), the next with "Load more", which continues the list on screen with the
// filters it was loaded with. An answer that arrives after a newer request started is dropped.
import { call } from "/session.js";
import { errorText, focusAfterMore, handleSignedOut, showMessage } from "/ui.js";

/**
 * `path` is the API list; `params()` the filters as an object (empty values are left out);
 * `row(item)` a table row; `describe(shown, more)` the status line; `failure` the error's lead-in
 * ("The leads could not be loaded"); `refused(response)`, when given, may answer a failure with a
 * page-level message instead (a 403 for the wrong role) and return true. The page's elements are
 * found by their ids: `table`, `tbody`, and the defaults `empty`, `load-more`, `list-status`, `list-error`.
 */
export function pagedList({ path, params = () => ({}), row, describe, failure, refused, pageSize = 25, ids }) {
  const $ = (id) => document.getElementById(id);
  const names = { empty: "empty", loadMore: "load-more", status: "list-status", error: "list-error", ...ids };
  const table = $(names.table);
  const tbody = $(names.tbody);
  const empty = $(names.empty);
  const loadMore = $(names.loadMore);
  const status = $(names.status);
  const error = $(names.error);

  let cursor = null;
  let shown = 0;
  let active = {};
  let generation = 0;

  async function load(reset) {
    const mine = ++generation;
    // The filters of a new list count once its first page arrived: until then "Load more" goes on
    // with the list on screen.
    const filters = reset ? params() : active;
    const query = new URLSearchParams({ limit: String(pageSize) });
    for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
    if (!reset && cursor) query.set("cursor", cursor);
    // Disabling the button drops its focus: it goes to the first row it brought, or back to it.
    const fromButton = document.activeElement === loadMore;
    loadMore.disabled = true;
    showMessage(error, "");
    status.textContent = "Loading…";
    const response = await call("GET", `${path}?${query}`);
    if (mine !== generation) return false;
    loadMore.disabled = false;
    if (fromButton) loadMore.focus();
    if (handleSignedOut(response)) return false;
    if (!(response.status === 200 && response.body && response.body.ok)) {
      status.textContent = "";
      if (!(refused && refused(response))) showMessage(error, errorText(response, failure));
      return false;
    }
    const { items, nextCursor } = response.body.data;
    if (reset) {
      tbody.replaceChildren();
      shown = 0;
      active = filters;
    }
    const added = items.map(row);
    tbody.append(...added);
    shown += items.length;
    cursor = nextCursor || null;
    table.hidden = shown === 0;
    empty.hidden = shown !== 0;
    loadMore.hidden = !cursor;
    status.textContent = shown === 0 ? "" : describe(shown, Boolean(cursor));
    if (fromButton) focusAfterMore(added, loadMore);
    return true;
  }

  /** One of the rows shown was deleted (its row stays as a line saying so): the count follows. */
  function forget() {
    shown = Math.max(0, shown - 1);
    status.textContent = shown === 0 ? "" : describe(shown, Boolean(cursor));
  }

  loadMore.addEventListener("click", () => load(false));
  return { load, forget };
}
