/**
 * The playground: Compose files in tabs, the bake file compose2bake makes of them, live. The library runs in
 * the page on files held in memory (memoryFileSystem); nothing is sent anywhere (the page's Content-Security-
 * Policy forbids any connection), and the share link carries the files in its fragment.
 */
import { EditorState, StateEffect, StateField, type Extension } from "@codemirror/state";
import {
  Decoration,
  drawSelection,
  EditorView,
  highlightActiveLine,
  keymap,
  lineNumbers,
  type DecorationSet,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { defaultHighlightStyle, StreamLanguage, syntaxHighlighting } from "@codemirror/language";
import { yaml } from "@codemirror/lang-yaml";
import { properties } from "@codemirror/legacy-modes/mode/properties";
import { toml } from "@codemirror/legacy-modes/mode/toml";
import {
  compose2bake,
  CompileError,
  formatDiagnostic,
  loadConfig,
  memoryFileSystem,
  withConfig,
  type Diagnostic,
} from "../../src/index";
import examples from "virtual:examples";
import { decodeState, encodeState, type PlaygroundState, type SharedFile } from "./share";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

// ---------------------------------------------------------------------------------------------------------------
// Editor: one view, one EditorState per file tab.

/** Lines (1-based) to mark as holding an error. */
const setErrorLines = StateEffect.define<readonly number[]>();
const errorLineMark = Decoration.line({ class: "cm-error-line" });
const errorLines = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const e of tr.effects) {
      if (e.is(setErrorLines)) {
        const lines = [...new Set(e.value)].filter((n) => n >= 1 && n <= tr.state.doc.lines).sort((a, b) => a - b);
        return Decoration.set(lines.map((n) => errorLineMark.range(tr.state.doc.line(n).from)));
      }
    }
    return tr.docChanged ? marks.map(tr.changes) : marks;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function languageOf(name: string): Extension {
  if (/\.ya?ml$/i.test(name)) return yaml();
  if (/\.toml$/i.test(name)) return StreamLanguage.define(toml);
  return StreamLanguage.define(properties);
}

function newState(name: string, text: string): EditorState {
  return EditorState.create({
    doc: text,
    extensions: [
      lineNumbers(),
      history(),
      drawSelection(),
      highlightActiveLine(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      // Tab is left to the browser, so that keyboard users can leave the editor (YAML forbids tabs anyway).
      keymap.of([...defaultKeymap, ...historyKeymap]),
      languageOf(name),
      errorLines,
      EditorView.contentAttributes.of({ "aria-label": `${name} editor` }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) schedule();
      }),
    ],
  });
}

interface Tab {
  name: string;
  state: EditorState;
}

let tabs: Tab[] = [];
let active = 0;
const view = new EditorView({ parent: $("editor") });

function text(tab: Tab): string {
  return (tab === tabs[active] ? view.state : tab.state).doc.toString();
}

function selectTab(i: number, focus = false): void {
  if (tabs[active]) tabs[active]!.state = view.state;
  active = Math.max(0, Math.min(i, tabs.length - 1));
  if (tabs[active]) view.setState(tabs[active]!.state);
  renderTabs();
  if (focus) view.focus();
}

function renderTabs(): void {
  const list = $("tabs");
  list.replaceChildren(
    ...tabs.map((tab, i) => {
      const wrap = document.createElement("span");
      wrap.className = "tab-wrap";
      const b = document.createElement("button");
      b.type = "button";
      b.className = "tab";
      b.setAttribute("role", "tab");
      b.setAttribute("aria-selected", String(i === active));
      b.tabIndex = i === active ? 0 : -1;
      b.textContent = tab.name;
      b.dataset.file = tab.name;
      b.addEventListener("click", () => selectTab(i));
      b.addEventListener("keydown", (e) => {
        const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (step !== 0) {
          selectTab((i + step + tabs.length) % tabs.length);
          list.querySelectorAll<HTMLButtonElement>("button.tab")[active]?.focus();
        } else if (e.key === "Delete" && tabs.length > 1) {
          removeTab(i);
        }
      });
      const x = document.createElement("button");
      x.type = "button";
      x.className = "tab-close";
      x.textContent = "×";
      x.title = x.ariaLabel = `Remove ${tab.name}`;
      x.disabled = tabs.length === 1;
      x.addEventListener("click", () => removeTab(i));
      wrap.append(b, x);
      return wrap;
    }),
  );
}

function setFiles(files: readonly SharedFile[]): void {
  tabs = files.map((f) => ({ name: f.name, state: newState(f.name, f.text) }));
  if (tabs.length === 0) tabs = [{ name: "compose.yaml", state: newState("compose.yaml", "") }];
  active = -1;
  selectTab(0);
}

function removeTab(i: number): void {
  if (tabs.length <= 1) return;
  if (tabs[active]) tabs[active]!.state = view.state;
  tabs.splice(i, 1);
  active = -1;
  selectTab(Math.min(i, tabs.length - 1));
  schedule();
}

const SUGGESTED = ["compose.yaml", "compose.override.yaml", ".env", "compose2bake.toml"];

function addTab(): void {
  const suggestion = SUGGESTED.find((n) => !tabs.some((t) => t.name === n)) ?? "compose.other.yaml";
  const name = window.prompt("File name (in the project folder)", suggestion)?.trim();
  if (!name) return;
  if (!/^[^/\\\0]+(\/[^/\\\0]+)*$/.test(name) || name.split("/").some((p) => p === "." || p === "..")) {
    showNote(`"${name}" is not a file name`);
    return;
  }
  const existing = tabs.findIndex((t) => t.name === name);
  if (existing >= 0) return selectTab(existing, true);
  if (tabs[active]) tabs[active]!.state = view.state;
  tabs.push({ name, state: newState(name, "") });
  active = -1;
  selectTab(tabs.length - 1, true);
  schedule();
}

// ---------------------------------------------------------------------------------------------------------------
// Options

const formatInput = () =>
  document.querySelector<HTMLInputElement>('input[name="format"]:checked')?.value === "json" ? "json" : "hcl";
const variablesInput = () =>
  document.querySelector<HTMLInputElement>('input[name="variables"]:checked')?.value === "resolve" ? "resolve" : "keep";

function currentState(): PlaygroundState {
  return {
    files: tabs.map((t) => ({ name: t.name, text: text(t) })),
    format: formatInput(),
    variables: variablesInput(),
    profiles: $<HTMLInputElement>("profiles").value,
    env: $<HTMLTextAreaElement>("env").value,
    folder: $<HTMLInputElement>("folder").value,
  };
}

function applyState(s: PlaygroundState): void {
  $<HTMLInputElement>(`format-${s.format}`).checked = true;
  $<HTMLInputElement>(`variables-${s.variables}`).checked = true;
  $<HTMLInputElement>("profiles").value = s.profiles;
  $<HTMLTextAreaElement>("env").value = s.env;
  $<HTMLInputElement>("folder").value = s.folder;
  setFiles(s.files);
  convert();
}

/** KEY=VALUE lines (a `#` line is a comment; a bare KEY is set to ""), as `env` would take them. */
function parseEnv(textValue: string): Record<string, string> {
  const env: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const line of textValue.split(/\r?\n/)) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) env[t] = "";
    else env[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return env;
}

// ---------------------------------------------------------------------------------------------------------------
// Conversion

let timer: ReturnType<typeof setTimeout> | undefined;
function schedule(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = setTimeout(convert, 120);
  document.body.dataset.pending = "true";
}

/** The project folder: its name is the project's name when nothing else sets one, as for docker compose. */
function projectDir(): string {
  const name =
    $<HTMLInputElement>("folder")
      .value.trim()
      .replace(/[/\\\0]/g, "") || "project";
  return `/${name === "." || name === ".." ? "project" : name}`;
}

function convert(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  delete document.body.dataset.pending;
  const s = currentState();
  const dir = projectDir();
  const fs = memoryFileSystem(Object.fromEntries(s.files.map((f) => [`${dir}/${f.name}`, f.text])));
  const output = $("output");
  let diagnostics: readonly Diagnostic[];
  try {
    // What `compose2bake -o docker-bake.hcl` (or .json) writes in that folder, with --profile and --resolve.
    const config = loadConfig({ cwd: dir, fs });
    const profiles = s.profiles.split(/[\s,]+/).filter((p) => p !== "");
    const options = withConfig(
      {
        cwd: dir,
        env: parseEnv(s.env),
        fs,
        profiles,
        outputFile: `${dir}/docker-bake.${s.format}`,
        variables: s.variables === "resolve" ? "resolve" : undefined,
      },
      config,
    );
    const result = compose2bake(options);
    output.textContent = result.text;
    output.classList.remove("stale");
    $("output-status").textContent =
      `${Object.keys(result.bake.target).length} targets, ${Object.keys(result.bake.group).length} groups`;
    diagnostics = result.diagnostics;
  } catch (e) {
    if (!(e instanceof CompileError)) {
      diagnostics = [{ severity: "error", code: "internal", message: `internal error: ${(e as Error).message}` }];
    } else {
      diagnostics = e.diagnostics;
    }
    output.classList.add("stale");
    $("output-status").textContent = "error: the output below is the last one that converted";
  }
  showDiagnostics(diagnostics, dir);
  const count = Number(document.body.dataset.converted ?? "0") + 1;
  // Tests wait on this count; the first conversion is marked for measuring load → first output (README).
  if (count === 1) performance.mark("compose2bake:first-output");
  document.body.dataset.converted = String(count);
}

function showDiagnostics(diagnostics: readonly Diagnostic[], dir: string): void {
  const list = $("diagnostics");
  const lines = new Map<string, number[]>();
  list.replaceChildren(
    ...diagnostics.map((d) => {
      const li = document.createElement("li");
      li.className = d.severity;
      const where = d.pos && d.pos.offset !== undefined ? d.pos.file.lineCol(d.pos.offset) : undefined;
      const name = d.pos && d.pos.file.path.startsWith(`${dir}/`) ? d.pos.file.path.slice(dir.length + 1) : undefined;
      const tab = name === undefined ? -1 : tabs.findIndex((t) => t.name === name);
      const message = formatDiagnostic(d, dir);
      if (tab >= 0 && where) {
        if (d.severity === "error") lines.set(name!, [...(lines.get(name!) ?? []), where.line]);
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = message;
        b.addEventListener("click", () => goTo(tab, where.line, where.column));
        li.append(b);
      } else {
        li.textContent = message;
      }
      return li;
    }),
  );
  $("diagnostics-title").textContent = diagnostics.length === 0 ? "No problems" : `Problems (${diagnostics.length})`;
  tabs.forEach((tab, i) => {
    const effect = setErrorLines.of(lines.get(tab.name) ?? []);
    if (i === active) view.dispatch({ effects: effect });
    else tab.state = tab.state.update({ effects: effect }).state;
  });
}

function goTo(tab: number, line: number, column: number): void {
  selectTab(tab);
  const doc = view.state.doc;
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  const at = Math.min(l.from + column - 1, l.to);
  view.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: "center" }) });
  view.focus();
}

// ---------------------------------------------------------------------------------------------------------------
// Examples, share link, copy

function loadExample(name: string): void {
  const example = examples.find((e) => e.name === name);
  if (!example) return;
  applyState({ ...currentState(), files: example.files, folder: example.name, profiles: "", env: "" });
  markExample(name);
}

/** Shows which example is loaded (none once the state comes from a link). */
function markExample(name: string | undefined): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>("#examples button"))
    b.setAttribute("aria-pressed", String(b.dataset.example === name));
}

let noteTimer: ReturnType<typeof setTimeout> | undefined;
function showNote(message: string): void {
  const note = $("note");
  note.textContent = message;
  if (noteTimer !== undefined) clearTimeout(noteTimer);
  noteTimer = setTimeout(() => (note.textContent = ""), 4000);
}

async function share(): Promise<void> {
  const fragment = await encodeState(currentState());
  window.history.replaceState(null, "", fragment);
  const link = $<HTMLInputElement>("share-link");
  link.value = location.href;
  link.hidden = false;
  link.select();
  try {
    await navigator.clipboard.writeText(location.href);
    showNote("Link copied: it holds the files themselves, nothing is stored anywhere");
  } catch {
    showNote("Copy the link above: it holds the files themselves, nothing is stored anywhere");
  }
}

async function start(): Promise<void> {
  $("examples").replaceChildren(
    ...examples.map((e) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = b.dataset.example = e.name;
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => loadExample(e.name));
      return b;
    }),
  );
  $("add-file").addEventListener("click", addTab);
  $("share").addEventListener("click", () => void share());
  $("copy").addEventListener("click", () => {
    void navigator.clipboard.writeText($("output").textContent ?? "").then(
      () => showNote("Output copied"),
      () => showNote("Copying was refused by the browser"),
    );
  });
  for (const id of ["profiles", "env", "folder"]) $(id).addEventListener("input", schedule);
  for (const input of document.querySelectorAll<HTMLInputElement>('input[type="radio"]'))
    input.addEventListener("change", convert);
  window.addEventListener("hashchange", () => void restore());
  await restore(true);
}

async function restore(initial = false): Promise<void> {
  const state = await decodeState(location.hash);
  if (state) {
    applyState(state);
    return markExample(undefined);
  }
  if (location.hash.startsWith("#s=")) showNote("This share link is damaged: showing an example instead");
  if (initial || location.hash.startsWith("#s=")) {
    loadExample((examples.find((e) => e.name === "override") ?? examples[0]!).name);
  }
}

void start();
