/**
 * The project name rules of compose-go (compose-loading-reference.md §5): `-p` > COMPOSE_PROJECT_NAME >
 * the last non-empty `name:` > the project folder's name. Names given imperatively must already be
 * normalised; names from files and folders are normalised quietly.
 */
import * as path from "../platform/path";
import { fail, type SourcePos } from "../diagnostics";

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

export function normalizeProjectName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "")
    .replace(/^[_-]+/, "");
}

export function checkProjectName(name: string, pos?: SourcePos): string {
  if (!VALID.test(name)) {
    fail(
      "invalid-project-name",
      `invalid project name "${name}": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`,
      pos,
    );
  }
  return name;
}

export interface ProjectNameInputs {
  readonly flag?: string;
  readonly env?: string;
  /** The last non-empty, interpolated `name:` from the files, with where it was written. */
  readonly fromFiles?: { readonly value: string; readonly pos?: SourcePos };
  readonly workingDir: string;
}

export function chooseProjectName(inputs: ProjectNameInputs): string {
  if (inputs.flag !== undefined && inputs.flag !== "") return checkProjectName(inputs.flag);
  if (inputs.env !== undefined && inputs.env !== "") return checkProjectName(inputs.env);
  const raw = inputs.fromFiles?.value ?? path.basename(inputs.workingDir);
  const name = normalizeProjectName(raw);
  if (name === "") fail("empty-project-name", "project name must not be empty", inputs.fromFiles?.pos);
  return name;
}
