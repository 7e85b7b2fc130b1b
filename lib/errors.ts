/**
 * Typed errors. Every failure gdln reports is a {@link GdlnError} with a stable
 * `code` (GDLN_*), a message in the form "Expected <what> for <name> but
 * received <value>" where that fits, and `details` naming the culprit.
 */

export const ErrorCodes = [
  'GDLN_INVALID_ARGUMENT',
  'GDLN_UNKNOWN_NODE',
  'GDLN_UNKNOWN_EDGE',
  'GDLN_DUPLICATE_NAME',
  'GDLN_CYCLE',
  'GDLN_NO_INPUT_NODE',
  'GDLN_NO_OUTPUT_NODE',
  'GDLN_SHAPE_MISMATCH',
  'GDLN_NON_FINITE',
  'GDLN_UNSUPPORTED',
  'GDLN_ASSUMPTION_FAILED',
  'GDLN_DIVERGED',
  'GDLN_ABORTED',
  'GDLN_DISPOSED',
  'GDLN_NATIVE_UNAVAILABLE',
  'GDLN_NO_CUDA_BUILD',
  'GDLN_NO_CUDA_DEVICE',
  'GDLN_IO',
  'GDLN_INTERNAL',
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

export class GdlnError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'GdlnError';
    this.code = code;
    this.details = details;
  }
}

/** Rejection of a cancelled run: carries whatever the run had recorded. */
export class GdlnAbortError<T = unknown> extends GdlnError {
  readonly partial: T;
  constructor(message: string, partial: T, details: Record<string, unknown> = {}) {
    super('GDLN_ABORTED', message, details);
    this.name = 'AbortError';
    this.partial = partial;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as { length: number }).length})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  return typeof value;
}

/** "Expected <what> for <name> but received <value>". */
export function invalidParameter(
  what: string,
  name: string,
  value: unknown,
  code: ErrorCode = 'GDLN_INVALID_ARGUMENT',
  details: Record<string, unknown> = {},
): GdlnError {
  return new GdlnError(code, `Expected ${what} for ${name} but received ${show(value)}`, { name, ...details });
}

/** Re-raise an error thrown by the addon as a GdlnError, keeping its code. */
export function fromNative(err: unknown, context: string): GdlnError {
  if (err instanceof GdlnError) return err;
  const e = err as { code?: string; message?: string };
  const code = (ErrorCodes as readonly string[]).includes(e?.code ?? '') ? (e.code as ErrorCode) : 'GDLN_INTERNAL';
  return new GdlnError(code, `${context}: ${e?.message ?? String(err)}`, { native: true });
}
