// The team's customers or suppliers (the page's <body data-directory> says which): a list by name
// with search and "Load more", a form that adds one or edits the one chosen, and a delete that asks
// once more in its row and says why when the entry is still in use.
// Every text from the server goes in with textContent (through `el`), never innerHTML.
import { pagedList } from "/paged-list.js";
import { call, requireSession } from "/session.js";
import { el, errorText, errorWithFields, handleSignedOut, isStaff, showMessage, statusLabel, text } from "/ui.js";

const $ = (id) => document.getElementById(id);

// The kinds the API takes for a supplier (DirectoryHandlers.supplierKinds).
const SUPPLIER_KINDS = ["airline", "hotel", "operator", "guide", "photographer", "driver", "other"];

const DIRECTORIES = {
  customers: {
    path: "/api/customers",
    one: "customer",
    deleteQuestion: (name) => `Delete ${name}? Their leads and trips stay, without a customer.`,
    fields: ["name", "email", "phone", "notes"],
    columns: (c) => [text(c.email), text(c.phone)],
  },
  suppliers: {
    path: "/api/suppliers",
    one: "supplier",
    deleteQuestion: (name) => `Delete ${name}?`,
    fields: ["name", "kind", "email", "phone"],
    columns: (s) => [statusLabel(s.kind), text(s.email)],
  },
};

const directory = DIRECTORIES[document.body.dataset.directory];
const form = $("entry-form");
const search = $("q");
/** The entry the form edits, or null while it adds one. */
let editing = null;

function actionsCell(entry) {
  const edit = el("button", { type: "button", className: "secondary edit", text: "Edit", "aria-label": `Edit ${entry.name}` });
  edit.addEventListener("click", () => startEditing(entry.id));
  const remove = el("button", {
    type: "button", className: "danger delete", text: "Delete", "aria-label": `Delete ${entry.name}`,
  });
  const cell = el("td", { className: "actions" }, edit, remove);
  remove.addEventListener("click", () => askToDelete(entry, cell));
  return cell;
}

/** The list's row of entry `id`, if it is on screen. */
function rowOf(id) {
  return [...$("entries-body").children].find((tr) => tr.dataset.id === id) || null;
}

function rowFor(entry) {
  return el(
    "tr",
    { "data-id": entry.id },
    el("td", { className: "name", text: text(entry.name) }),
    ...directory.columns(entry).map((value) => el("td", { text: value })),
    el("td", { className: "login", text: entry.user_id ? "Yes" : "—" }),
    actionsCell(entry),
  );
}

const list = pagedList({
  path: directory.path,
  params: () => ({ q: search.value.trim() }),
  ids: { table: "entries-table", tbody: "entries-body" },
  row: rowFor,
  describe: (shown, more) => `${shown} ${directory.one}${shown === 1 ? "" : "s"}${more ? " so far" : ""}.`,
  failure: `The ${directory.one}s could not be loaded`,
  pageSize: 50,
});

/**
 * The delete asks once more in the row ("Delete Sol Studio?" with Delete and Keep; Escape keeps);
 * a deleted entry leaves a line in its place, so the list and the place in it stay as they were.
 */
function askToDelete(entry, cell) {
  showMessage($("entry-done"), "");
  showMessage($("entry-error"), "");
  const saved = [...cell.childNodes];
  const keep = el("button", { type: "button", className: "secondary", text: "Keep" });
  const confirm = el("button", { type: "button", className: "danger-solid", text: "Delete" });
  const problem = el("p", { className: "notice notice-error", role: "alert", hidden: true });
  const keepIt = () => {
    cell.replaceChildren(...saved);
    cell.querySelector("button.delete").focus();
  };
  keep.addEventListener("click", keepIt);
  cell.addEventListener("keydown", function escape(event) {
    if (event.key !== "Escape" || !cell.contains(keep)) return;
    cell.removeEventListener("keydown", escape);
    keepIt();
  });
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    const response = await call("DELETE", `${directory.path}/${encodeURIComponent(entry.id)}`);
    if (handleSignedOut(response)) return;
    if (response.status === 200) {
      if (editing && editing.id === entry.id) stopEditing();
      const row = cell.closest("tr");
      const next = row.nextElementSibling && row.nextElementSibling.querySelector("button.edit");
      const gone = el("td", { colspan: row.children.length, className: "removed", text: `Deleted ${entry.name}.` });
      row.replaceChildren(gone);
      row.setAttribute("role", "status");
      (next || search).focus();
      return;
    }
    const error = response.body && response.body.error;
    const inUse = response.status === 409 && error && error.code === "in_use";
    showMessage(problem, inUse
      ? `${entry.name} stays: it is named by ${error.details.named_by}.`
      : errorText(response, "Nothing was deleted"));
    confirm.disabled = inUse;
    keep.focus();
  });
  cell.replaceChildren(el("span", { text: directory.deleteQuestion(entry.name) }), confirm, keep, problem);
  confirm.focus();
}

function input(field) {
  return $(`entry-${field}`);
}

/** The form's values as a body: blank optional fields are left out of a new entry and cleared on an edit. */
function formBody() {
  const body = {};
  for (const field of directory.fields) {
    const value = input(field).value.trim();
    if (value) body[field] = value;
    else if (editing && field !== "name") body[field] = null;
  }
  return body;
}

function fillForm(entry) {
  for (const field of directory.fields) input(field).value = entry ? entry[field] || "" : "";
  if (!entry && input("kind")) input("kind").value = "other";
}

async function startEditing(id) {
  showMessage($("entry-error"), "");
  showMessage($("entry-done"), "");
  const response = await call("GET", `${directory.path}/${encodeURIComponent(id)}`);
  if (handleSignedOut(response)) return;
  if (!(response.status === 200 && response.body && response.body.ok)) {
    showMessage($("entry-error"), errorText(response, `The ${directory.one} could not be loaded`));
    return;
  }
  editing = response.body.data;
  fillForm(editing);
  $("entry-title").textContent = `Edit ${editing.name}`;
  $("entry-submit").textContent = "Save changes";
  $("entry-cancel").hidden = false;
  input("name").focus();
}

/** Ends an edit; `returnFocus` puts the focus back on the entry's Edit button (or the name field). */
function stopEditing(returnFocus = false) {
  const row = editing && rowOf(editing.id);
  editing = null;
  clearFieldErrors();
  if (returnFocus) ((row && row.querySelector("button.edit")) || input("name")).focus();
  fillForm(null);
  $("entry-title").textContent = `New ${directory.one}`;
  $("entry-submit").textContent = `Add ${directory.one}`;
  $("entry-cancel").hidden = true;
}

function clearFieldErrors() {
  for (const field of directory.fields) input(field).removeAttribute("aria-invalid");
}

/** The API's field errors as sentences naming the form's labels ("Email must be an e-mail address."). */
function showFieldErrors(response, what) {
  const error = response.body && response.body.error;
  const fields = error && error.details && error.details.fields;
  if (response.status !== 400 || !fields || typeof fields !== "object") {
    showMessage($("entry-error"), errorWithFields(response, what));
    return;
  }
  let first = null;
  const sentences = Object.entries(fields).map(([field, rule]) => {
    const control = directory.fields.includes(field) ? input(field) : null;
    if (!control) return `${field} ${rule}.`;
    control.setAttribute("aria-invalid", "true");
    if (!first) first = control;
    const label = form.querySelector(`label[for="${control.id}"]`).textContent;
    return `${label} ${rule}.`;
  });
  showMessage($("entry-error"), `${what}: ${sentences.join(" ")}`);
  if (first) first.focus();
}

async function submit(event) {
  event.preventDefault();
  clearFieldErrors();
  const name = input("name").value.trim();
  if (!name) {
    showMessage($("entry-error"), "Give the name.");
    input("name").setAttribute("aria-invalid", "true");
    input("name").focus();
    return;
  }
  showMessage($("entry-error"), "");
  showMessage($("entry-done"), "");
  $("entry-submit").disabled = true;
  const response = editing
    ? await call("PATCH", `${directory.path}/${encodeURIComponent(editing.id)}`, formBody())
    : await call("POST", directory.path, formBody());
  $("entry-submit").disabled = false;
  if (handleSignedOut(response)) return;
  if ([200, 201].includes(response.status) && response.body && response.body.ok) {
    const entry = response.body.data;
    const row = editing && rowOf(editing.id);
    showMessage($("entry-done"), `${editing ? "Saved" : "Added"} ${entry.name}.`);
    if (row) {
      // An edit shows in its row, where it is in the list; a new entry takes its place by name.
      row.replaceWith(rowFor(entry));
      stopEditing(true);
    } else {
      stopEditing();
      await list.load(true);
      input("name").focus();
    }
    return;
  }
  showMessage($("entry-error"), "");
  showFieldErrors(response, editing ? "Nothing was saved" : "Nothing was added");
}

let typing = null;

async function start() {
  const me = await requireSession();
  if (!me) return;
  if (!isStaff(me)) {
    showMessage($("page-error"), "This page is for staff and admins of the team.");
    return;
  }
  if (input("kind")) {
    input("kind").replaceChildren(...SUPPLIER_KINDS.map((k) => el("option", { value: k, text: statusLabel(k) })));
  }
  stopEditing();
  form.addEventListener("submit", submit);
  $("entry-cancel").addEventListener("click", () => {
    stopEditing(true);
    showMessage($("entry-error"), "");
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && editing) {
      stopEditing(true);
      showMessage($("entry-error"), "");
    }
  });
  // Typing searches after a pause; Search (or Enter) at once. A search for what is on screen
  // already does not reload it, which would close a question asked in a row.
  let shownQuery = null;
  const searchNow = () => {
    clearTimeout(typing);
    if (search.value.trim() === shownQuery) return;
    shownQuery = search.value.trim();
    list.load(true);
  };
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    searchNow();
  });
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(searchNow, 250);
  });
  form.hidden = false;
  $("filters").hidden = false;
  shownQuery = "";
  await list.load(true);
}

start();
