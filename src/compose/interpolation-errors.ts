/** The errors of `${VAR}` interpolation (interpolate.ts), and the nesting limit behind one of them. */

/** A `$` that starts neither an escape nor a valid reference, e.g. `${ foo}`. */
export class InterpolationSyntaxError extends Error {
  constructor(
    /** Offset of the offending `$` in `template`. */
    readonly offset: number,
    /** The whole value being interpolated. */
    readonly template: string,
  ) {
    super(`invalid interpolation format: ${JSON.stringify(template)}; you may need to escape any $ with another $`);
    this.name = "InterpolationSyntaxError";
  }
}

/**
 * How deeply references may nest inside defaults, alternatives and messages (`${A:-${B:-…}}`). compose-go has
 * no limit; ours keeps every recursive stage (here, keep mode, bake expressions) far from the end of the stack,
 * and is far above anything written by hand (README "Limits").
 */
export const MAX_INTERPOLATION_DEPTH = 100;

/** A reference nested deeper than MAX_INTERPOLATION_DEPTH; a syntax error for every caller. */
export class InterpolationDepthError extends InterpolationSyntaxError {
  constructor(offset: number, template: string) {
    super(offset, template);
    this.message = `invalid interpolation format: references nested more than ${MAX_INTERPOLATION_DEPTH} levels deep`;
    this.name = "InterpolationDepthError";
  }
}

/** `${V:?msg}` with V unset or empty, or `${V?msg}` with V unset. */
export class RequiredVariableError extends Error {
  constructor(
    readonly variable: string,
    /** The message after the operator, as `messageText` shows it (may be empty). */
    readonly reason: string,
    /** Offset of the reference's `$` in the value being interpolated. */
    readonly offset: number,
  ) {
    super(
      reason === ""
        ? `required variable ${variable} is missing a value`
        : `required variable ${variable} is missing a value: ${reason}`,
    );
    this.name = "RequiredVariableError";
  }
}

/** An interpolation error in a value of a document, with the dotted path of that value. */
export class InterpolationError extends Error {
  /** Offset of the failing reference inside the string value. */
  readonly offset?: number;
  override readonly cause: InterpolationSyntaxError | RequiredVariableError;
  constructor(
    readonly path: string,
    cause: InterpolationSyntaxError | RequiredVariableError,
  ) {
    super(`error while interpolating ${path}: ${cause.message}`);
    this.name = "InterpolationError";
    this.cause = cause;
    this.offset = cause.offset;
  }
}
