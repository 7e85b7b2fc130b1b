/**
 * Every bad-input table module: the files `test/reliability/*.table.ts`, each
 * exporting `rows: BadInputRow[]`. To add rows for a new module (a loader, the
 * experiment configs), add a `<module>.table.ts` file here; nothing else changes.
 * Row ids must be unique across all tables (the suite checks).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BadInputRow, BadInputTable } from './badInputRow.ts';

export async function loadTables(): Promise<BadInputTable[]> {
  const dir = import.meta.dirname;
  const files = readdirSync(dir).filter((f) => f.endsWith('.table.ts')).sort();
  const tables: BadInputTable[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { rows?: BadInputRow[] };
    if (!Array.isArray(mod.rows)) throw new Error(`${f} does not export rows: BadInputRow[]`);
    tables.push({ name: f.replace(/\.table\.ts$/, ''), rows: mod.rows });
  }
  return tables;
}
