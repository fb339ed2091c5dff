// The team's customers, suppliers or product catalog (the page's <body data-directory> says which;
// directories.js says what each holds): a list by name with search and "Load more", a form that adds
// an entry or edits the one chosen, and a delete (an archive, for products) that asks once more in
// its row and says why when the entry is still in use.
// Every text from the server goes in with textContent (through `el`), never innerHTML.
import { DIRECTORIES } from "/directories.js";
import { pagedList } from "/paged-list.js";
import { call, requireSession } from "/session.js";
import { askInPlace, el, errorText, errorWithFields, handleSignedOut, isStaff, showMessage, text } from "/ui.js";

const $ = (id) => document.getElementById(id);

const directory = DIRECTORIES[document.body.dataset.directory];

/** The list part of the page, the same for every directory: search (where it has one), status line,
 * table, empty line and "Load more", in the page's `#entries`. */
function buildList() {
  const { caption, search: searchLabel, empty } = directory.list;
  const filters = searchLabel ? el("form", { id: "filters", className: "filters", role: "search", "aria-label": searchLabel, hidden: true },
    el("div", { className: "field field-grow" }, el("label", { for: "q", text: "Search" }),
      el("input", { id: "q", name: "q", type: "search", placeholder: "Name", autocomplete: "off" })),
    el("button", { type: "submit", text: "Search" })) : null;
  const headings = ["Name", ...directory.columns.map(([label]) => label)].map((label) => el("th", { scope: "col", text: label }));
  const actions = el("th", { scope: "col" }, el("span", { className: "visually-hidden", text: "Actions" }));
  $("entries").replaceWith(
    ...[filters,
      el("p", { id: "list-status", className: "list-status", role: "status", "aria-live": "polite" }),
      el("div", { className: "table-scroll" }, el("table", { id: "entries-table", className: "data-table", hidden: true },
        el("caption", { className: "visually-hidden", text: caption }),
        el("thead", {}, el("tr", {}, ...headings, actions)),
        el("tbody", { id: "entries-body" }))),
      el("p", { id: "empty", className: "empty", hidden: true, text: empty }),
      el("p", { id: "list-error", className: "notice notice-error", role: "alert", hidden: true }),
      el("button", { id: "load-more", type: "button", className: "secondary", hidden: true, text: "Load more" }),
    ].filter(Boolean));
}

buildList();
const form = $("entry-form");
const search = $("q");
/** The entry the form edits, or null while it adds one. */
let editing = null;

function actionsCell(entry) {
  const edit = el("button", { type: "button", className: "secondary edit", text: "Edit", "aria-label": `Edit ${entry.name}` });
  edit.addEventListener("click", () => startEditing(entry.id));
  const cell = el("td", { className: "actions" }, edit);
  if (!directory.remove) return cell; // trips are kept: their bookings name them
  const { verb } = directory.remove;
  const remove = el("button", {
    type: "button", className: "danger delete", text: verb, "aria-label": `${verb} ${entry.name}`,
  });
  cell.append(remove);
  remove.addEventListener("click", () => askToDelete(entry, cell, remove));
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
    ...directory.columns.map(([, cell]) => el("td", {}, cell(entry))),
    actionsCell(entry),
  );
}

const list = pagedList({
  path: directory.path,
  params: () => (search ? { q: search.value.trim() } : {}),
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
function askToDelete(entry, cell, opener) {
  showMessage($("entry-done"), "");
  showMessage($("entry-error"), "");
  const problem = el("p", { className: "notice notice-error", role: "alert", hidden: true });
  askInPlace(cell, opener, {
    question: directory.remove.question(entry.name),
    verb: directory.remove.verb,
    extra: [problem],
    onConfirm: async (confirm, keep) => {
      confirm.disabled = true;
      const response = await call("DELETE", `${directory.path}/${encodeURIComponent(entry.id)}`);
      if (handleSignedOut(response)) return;
      if (response.status === 200) {
        if (editing && editing.id === entry.id) stopEditing();
        const row = cell.closest("tr");
        const next = row.nextElementSibling && row.nextElementSibling.querySelector("button.edit");
        const gone = el("td", { colspan: row.children.length, className: "removed", text: directory.remove.done(entry.name) });
        row.replaceChildren(gone);
        row.setAttribute("role", "status");
        list.forget();
        (next || search).focus();
        return;
      }
      const error = response.body && response.body.error;
      const inUse = response.status === 409 && error && error.code === "in_use";
      showMessage(problem, inUse
        ? `${entry.name} stays: still named by ${error.details.named_by}.`
        : errorText(response, `${directory.remove.verb} failed`));
      confirm.disabled = inUse;
      keep.focus();
    },
  });
}

function input(field) {
  return $(`entry-${field}`);
}

/**
 * The form's values as a body and the fields whose input is no value ([name, message]): blank
 * optional fields are left out of a new entry and cleared on an edit; fixed ones are not sent on an edit.
 */
function formBody() {
  const body = {};
  const invalid = [];
  for (const f of directory.fields) {
    if (editing && f.fixed) continue;
    // An edit sends what changed: an untouched time keeps its seconds, and the history names only that.
    if (editing && input(f.name).value === f.read(editing)) continue;
    const result = f.write(input(f.name).value);
    if (!result.ok) invalid.push([f.name, result.message]);
    else if (result.value !== null) body[f.name] = result.value;
    else if (editing && f.name !== "name") body[f.name] = null;
  }
  return { body, invalid };
}

function fillForm(entry) {
  for (const f of directory.fields) {
    input(f.name).value = entry ? f.read(entry) : f.initial || "";
    input(f.name).disabled = Boolean(entry && f.fixed);
  }
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
  if (directory.details) $("entry-details").replaceChildren(directory.details(editing));
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
  if (directory.details) $("entry-details").replaceChildren();
  $("entry-title").textContent = `New ${directory.one}`;
  $("entry-submit").textContent = `Add ${directory.one}`;
  $("entry-cancel").hidden = true;
}

function clearFieldErrors() {
  for (const f of directory.fields) input(f.name).removeAttribute("aria-invalid");
}

/** Marks the fields at fault ([name, what follows its label]) and says so by label; focuses the first. */
function markFields(what, faults) {
  let first = null;
  const sentences = faults.map(([field, sentence]) => {
    const control = directory.fields.some((f) => f.name === field) ? input(field) : null;
    if (!control) return `${field}${sentence}`;
    control.setAttribute("aria-invalid", "true");
    if (!first) first = control;
    return `${form.querySelector(`label[for="${control.id}"]`).textContent}${sentence}`;
  });
  showMessage($("entry-error"), `${what}: ${sentences.join(" ")}`);
  if (first) first.focus();
}

/** The API's field errors as sentences naming the form's labels ("Email must be an e-mail address."). */
function showFieldErrors(response, what) {
  const error = response.body && response.body.error;
  const fields = error && error.details && error.details.fields;
  if (response.status !== 400 || !fields || typeof fields !== "object") {
    showMessage($("entry-error"), errorWithFields(response, what));
    return;
  }
  markFields(what, Object.entries(fields).map(([field, rule]) => [field, ` ${rule}.`]));
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
  const { body, invalid } = formBody();
  const what = editing ? "Nothing was saved" : "Nothing was added";
  if (invalid.length) {
    markFields(what, invalid.map(([field, message]) => [field, `: ${message}`]));
    return;
  }
  if (editing && Object.keys(body).length === 0) {
    showMessage($("entry-done"), `Nothing to save: ${editing.name} is as it was.`);
    return;
  }
  // The entry this save is about: another Edit clicked meanwhile must not take its answer.
  const target = editing;
  $("entry-submit").disabled = true;
  const response = target
    ? await call("PATCH", `${directory.path}/${encodeURIComponent(target.id)}`, body)
    : await call("POST", directory.path, body);
  $("entry-submit").disabled = false;
  if (handleSignedOut(response)) return;
  if ([200, 201].includes(response.status) && response.body && response.body.ok) {
    const entry = response.body.data;
    const row = target && rowOf(target.id);
    showMessage($("entry-done"), `${target ? "Saved" : "Added"} ${entry.name}.`);
    if (row) row.replaceWith(rowFor(entry)); // an edit shows in its row, where it is in the list
    if (editing !== target) return; // another entry is being edited now: its form stays
    if (row) {
      stopEditing(true);
    } else {
      stopEditing();
      await list.load(true);
      input("name").focus();
    }
    return;
  }
  showMessage($("entry-error"), "");
  showFieldErrors(response, what);
}

let typing = null;

async function start() {
  const me = await requireSession();
  if (!me) return;
  if (!isStaff(me)) {
    showMessage($("page-error"), "This page is for staff and admins of the team.");
    return;
  }
  const prepared = await directory.prepare();
  if (prepared !== true) {
    if (!handleSignedOut(prepared)) showMessage($("page-error"), errorText(prepared, "The page could not be set up"));
    return;
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
  form.hidden = false;
  if (search) listenToSearch();
  await list.load(true);
}

/**
 * Typing searches after a pause; Search (or Enter) at once. A search for what is on screen already
 * does not reload it, which would close a question asked in a row.
 */
function listenToSearch() {
  let shownQuery = "";
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
  $("filters").hidden = false;
}

start();
