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
    fields: ["name", "email", "phone", "notes"],
    columns: (c) => [text(c.email), text(c.phone)],
  },
  suppliers: {
    path: "/api/suppliers",
    one: "supplier",
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
  const edit = el("button", { type: "button", className: "secondary", text: "Edit" });
  edit.setAttribute("aria-label", `Edit ${entry.name}`);
  edit.addEventListener("click", () => startEditing(entry.id));
  const remove = el("button", { type: "button", className: "danger", text: "Delete" });
  remove.setAttribute("aria-label", `Delete ${entry.name}`);
  const cell = el("td", { className: "actions" }, edit, remove);
  remove.addEventListener("click", () => askToDelete(entry, cell));
  return cell;
}

function row(entry) {
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
  row,
  describe: (shown, more) => `${shown} ${directory.one}${shown === 1 ? "" : "s"}${more ? " so far" : ""}.`,
  failure: `The ${directory.one}s could not be loaded`,
  pageSize: 50,
});

/** The delete asks once more in the row: "Delete Sol Studio?" with Delete and Keep. */
function askToDelete(entry, cell) {
  const saved = [...cell.childNodes];
  const keep = el("button", { type: "button", className: "secondary", text: "Keep" });
  const confirm = el("button", { type: "button", className: "danger-solid", text: "Delete" });
  const problem = el("p", { className: "notice notice-error", role: "alert", hidden: true });
  keep.addEventListener("click", () => cell.replaceChildren(...saved));
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    const response = await call("DELETE", `${directory.path}/${encodeURIComponent(entry.id)}`);
    confirm.disabled = false;
    if (handleSignedOut(response)) return;
    if (response.status === 200) {
      showMessage($("entry-done"), `Deleted ${entry.name}.`);
      if (editing && editing.id === entry.id) stopEditing();
      await list.load(true);
      return;
    }
    const inUse = response.status === 409 && response.body && response.body.error.code === "in_use";
    showMessage(problem, inUse
      ? `${entry.name} is still named by ${response.body.error.details.uses} record(s) and stays.`
      : errorText(response, "Nothing was deleted"));
  });
  cell.replaceChildren(el("span", { text: `Delete ${entry.name}?` }), confirm, keep, problem);
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

function stopEditing() {
  editing = null;
  fillForm(null);
  $("entry-title").textContent = `New ${directory.one}`;
  $("entry-submit").textContent = `Add ${directory.one}`;
  $("entry-cancel").hidden = true;
}

async function submit(event) {
  event.preventDefault();
  const name = input("name").value.trim();
  if (!name) {
    showMessage($("entry-error"), "Give the name.");
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
    showMessage($("entry-done"), `${editing ? "Saved" : "Added"} ${response.body.data.name}.`);
    stopEditing();
    await list.load(true);
    return;
  }
  showMessage($("entry-error"), errorWithFields(response, editing ? "Nothing was saved" : "Nothing was added"));
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
    stopEditing();
    showMessage($("entry-error"), "");
  });
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    list.load(true);
  });
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => list.load(true), 250);
  });
  form.hidden = false;
  $("filters").hidden = false;
  await list.load(true);
}

start();
