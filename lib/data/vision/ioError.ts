/**
 * Shared failure helpers of the vision loaders: every defect in a data file is a
 * GdlnError whose message and `details` name the file and where in it the defect lies
 * (byte offset for binary formats, line/column for CSV).
 */
import fs from 'node:fs';
import { GdlnError, type ErrorCode } from '../../errors.ts';

/** "<file>: <what> at offset <offset>", details { file, offset, ...extra }. */
export function fileDefect(file: string, offset: number, what: string, extra: Record<string, unknown> = {}, code: ErrorCode = 'GDLN_IO'): GdlnError {
  return new GdlnError(code, `${file}: ${what} at offset ${offset}`, { file, offset, ...extra });
}

/**
 * Reads a whole file, turning "not there" into GDLN_IO naming the path and what to do.
 * @param hint how to obtain the file (appended to the message)
 */
export function readFileOrExplain(file: string, hint = ''): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : (e.message ?? String(err));
    throw new GdlnError('GDLN_IO', `Expected a readable file at ${file} but received ${why}${hint ? `; ${hint}` : ''}`, { file, errno: e.code });
  }
}
