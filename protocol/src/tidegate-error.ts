/**
 * The base of every error Tidegate raises on purpose: `message` says what happened and where
 * (tests match it word for word), `code` names the kind in a short stable form for metric labels,
 * logs and tests ("config.invalid", "wire.malformed", "usage"), and `hint`, when there is one,
 * says what to do. Anything else that reaches a CLI is a defect, printed with its stack.
 * Browser-safe like the rest of this package's index: no Node imports.
 */
export abstract class TidegateError extends Error {
  /** Never reworded once shipped: dashboards and alerts may count by it. */
  abstract readonly code: string;
  readonly hint?: string;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    if (options.hint !== undefined) this.hint = options.hint;
  }
}

/** What a CLI prints on stderr for the error that ended it, and the code it exits with. */
export interface CliFailure {
  text: string;
  exitCode: number;
}

/** How many causes an unexpected error's report follows; a cycle must not loop forever. */
const MAX_CAUSES = 5;

function stackOf(err: unknown): string {
  return err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
}

/**
 * The one error printer of every CLI. A TidegateError is the user's to fix: its message and hint,
 * no stack, exit code 2. Anything else is a defect: its stack and causes, exit code 1.
 */
export function formatCliError(err: unknown): CliFailure {
  if (err instanceof TidegateError)
    return { text: err.hint ? `${err.message}\n\n${err.hint}` : err.message, exitCode: 2 };
  let text = stackOf(err);
  let cause = err instanceof Error ? err.cause : undefined;
  for (let i = 0; cause !== undefined && i < MAX_CAUSES; i++) {
    text += `\ncaused by: ${stackOf(cause)}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return { text, exitCode: 1 };
}
