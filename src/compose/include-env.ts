/**
 * Keep mode: the values an included project's env files give its variables (IncludeScope, keep.ts), read from
 * the committed files alone. Compose reads those files with the environment it runs in: `T1=${SECRET}` or a bare
 * `T1` takes the environment's value, `B=${A}` takes A from the environment before the file's own A. Written as
 * bake defaults, such values would carry whatever the machine generating the file holds (a secret, a home folder),
 * so they are read as if the environment set nothing but the outer includes' env files (their own committed
 * values), and the names whose value could differ under some environment are reported (a `variable-resolved`
 * warning when the included services read them).
 */
import { CompileError } from "../diagnostics";
import { readEnvFileValues, type EnvFileOptions } from "./environment";

/** Stands for "some value the environment sets" while finding the values the environment can change. */
const ANY_VALUE = "\u0000compose2bake-environment\u0000";

export interface CommittedValues {
  /** Name → value as the committed files give it. */
  readonly values: ReadonlyMap<string, string>;
  /** Names whose value the environment could change (read from it, or lost when a read from it failed). */
  readonly fromEnvironment: ReadonlySet<string>;
}

/**
 * `options` are the include's env-file options (as applyEnvFiles reads them); `outer` the values of the includes
 * around it, which its env files see as already set.
 */
export function committedIncludeValues(
  options: EnvFileOptions,
  outer: ReadonlyMap<string, string> | undefined,
): CommittedValues {
  // Every name looked up in the environment gets a value no file holds: a value that changes depends on it.
  const probed = readEnvFileValues({ ...options, environment: () => ANY_VALUE });
  let committed: Map<string, string>;
  try {
    committed = readEnvFileValues({ ...options, environment: (name) => outer?.get(name) });
  } catch (e) {
    // Only a read from the environment can fail now (`${X:?}` with X unset): no value is taken as committed.
    if (!(e instanceof CompileError)) throw e;
    return { values: new Map(), fromEnvironment: new Set(probed.keys()) };
  }
  const fromEnvironment = new Set<string>();
  for (const [name, value] of probed) if (committed.get(name) !== value) fromEnvironment.add(name);
  return { values: committed, fromEnvironment };
}
