/**
 * The bad-input table (issue 8): every row of every `*.table.ts` module must
 * fail with a GdlnError of the stated code whose message or details name the
 * culprit, without an uncaught exception or unhandled rejection (a watchdog
 * listens for both for the whole file). Rows marked `knownBug` run as TODO.
 * Summary line: "bad-input: <rows> rows, <passed> as expected, <todo> known bugs".
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backendsUnderTest } from '../helpers/backendsUnderTest.ts';
import { loadTables } from './tables.ts';
import { checkRow, type BadInputRow } from './badInputRow.ts';

// ---- watchdog: anything escaping a row is recorded and fails the suite.
const escaped: { row: string; kind: string; error: string }[] = [];
let current = '(between rows)';
const onUncaught = (err: unknown) => escaped.push({ row: current, kind: 'uncaughtException', error: String((err as Error)?.stack ?? err) });
const onUnhandled = (err: unknown) => escaped.push({ row: current, kind: 'unhandledRejection', error: String((err as Error)?.stack ?? err) });
process.on('uncaughtException', onUncaught);
process.on('unhandledRejection', onUnhandled);

const tables = await loadTables();
const backends = new Map(backendsUnderTest().map((b) => [b.name, b]));
const counts = { rows: 0, ok: 0, todo: 0, skipped: 0 };

function skipReason(row: BadInputRow): false | string {
  if (row.needs) {
    const b = backends.get(row.needs);
    if (b && !b.available && !b.required) return `${row.needs} unavailable: ${b.reason}`;
  }
  return row.skip?.() ?? false;
}

const settle = () => new Promise<void>((r) => setImmediate(() => setTimeout(r, 5)));

const ids = new Set<string>();
for (const table of tables) {
  describe(`bad input: ${table.name}`, () => {
    for (const row of table.rows) {
      counts.rows++;
      const skip = skipReason(row);
      test(`${row.id} [${row.area}] ${row.description} → ${row.expect.code}`, { skip, todo: row.knownBug ?? false }, async () => {
        assert.ok(!ids.has(row.id), `duplicate row id ${row.id}`);
        ids.add(row.id);
        current = row.id;
        const before = escaped.length;
        try {
          await checkRow(row);
          if (!row.knownBug) counts.ok++;
        } finally {
          await settle();
          current = '(between rows)';
        }
        assert.equal(escaped.length, before, `${row.id}: escaped the API: ${escaped.slice(before).map((e) => `${e.kind} ${e.error}`).join('; ')}`);
      });
      if (skip) counts.skipped++;
      else if (row.knownBug) counts.todo++;
    }
  });
}

describe('bad input: the process survived', () => {
  test('no uncaught exception or unhandled rejection during the table', async () => {
    await settle();
    assert.deepEqual(escaped, []);
  });
  test('the tables have at least 40 distinct rows', () => {
    assert.ok(counts.rows >= 40, `${counts.rows} rows`);
  });
});

after(() => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUnhandled);
  console.log(`# bad-input: ${counts.rows} rows in ${tables.length} table(s): ${counts.ok} as expected, ${counts.todo} known bugs (todo), ${counts.skipped} skipped`);
});
