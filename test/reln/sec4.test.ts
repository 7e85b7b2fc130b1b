/**
 * The Sec. 4 contextual dataset (lib/data/contextsSec4.ts): shape, context-major order, one-hot
 * inputs, context blocks on only in their context, every block a re-grouped 8-item hierarchy,
 * seeded variation, the ReLN built from contextPatterns, and typed errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextualTaskSec4, SEC4_LEAF_ORDERS } from '../../lib/data/contextsSec4.ts';
import { hierarchy8x15 } from '../../lib/data/hierarchy.ts';
import { contextPatterns } from '../../lib/reln/reln.ts';
import { GdlnError } from '../../lib/errors.ts';

const H = hierarchy8x15();
const block = (y: number[], b: number) => y.slice(15 * b, 15 * b + 15);
/** The sibling pairs of a block: items whose rows share the level-2 feature. */
const pairs = (rows: number[][]) => {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) if (rows[i].slice(3, 7).some((v, f) => v && rows[j][3 + f])) out.push(`${i}${j}`);
  return out.sort().join(',');
};

test('Sec. 4 dataset: 24 samples, [item | context] one-hot inputs, context-major, 60 outputs', () => {
  const t = contextualTaskSec4();
  assert.equal(t.C, 3);
  assert.equal(t.nItems, 8);
  assert.equal(t.inputs.length, 24);
  assert.equal(t.targets[0].length, 60);
  t.inputs.forEach((x, s) => {
    const c = Math.floor(s / 8), i = s % 8;
    assert.equal(t.context[s], c);
    assert.equal(t.item[s], i);
    assert.deepEqual(x, Array.from({ length: 11 }, (_, q) => (q === i || q === 8 + c ? 1 : 0)));
  });
});

test('Sec. 4 dataset: common block = the 8×15 hierarchy; block c on only in context c, a re-grouped hierarchy', () => {
  const t = contextualTaskSec4();
  t.targets.forEach((y, s) => {
    assert.deepEqual(block(y, 0), H[t.item[s]]);
    for (let c = 0; c < 3; c++) {
      const b = block(y, c + 1);
      if (c !== t.context[s]) assert.ok(b.every((v) => v === 0));
      else assert.deepEqual(b, H[t.leafOrders[c].indexOf(t.item[s])]);
    }
  });
  assert.deepEqual(t.leafOrders, SEC4_LEAF_ORDERS.slice(0, 3));
  // The blocks differ in which items are siblings (the "variation" of Fig. 3).
  const sib = [0, 1, 2].map((c) => pairs(t.targets.filter((_, s) => t.context[s] === c).map((y) => block(y, c + 1))));
  assert.equal(new Set(sib).size, 3, sib.join(' / '));
  assert.equal(sib[0], '01,23,45,67');
});

test('Sec. 4 dataset: variation none / random (seeded, reproducible), 3–5 contexts', () => {
  const none = contextualTaskSec4({ variation: 'none' });
  none.targets.forEach((y, s) => assert.deepEqual(block(y, none.context[s] + 1), H[none.item[s]]));
  const a = contextualTaskSec4({ seed: 5 });
  const b = contextualTaskSec4({ seed: 5, variation: 'random' });
  const c = contextualTaskSec4({ seed: 6 });
  assert.deepEqual(a.targets, b.targets);
  assert.notDeepEqual(a.leafOrders, c.leafOrders);
  for (const o of a.leafOrders) assert.deepEqual([...o].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  for (const C of [4, 5]) {
    const t = contextualTaskSec4({ contexts: C });
    assert.equal(t.inputs.length, 8 * C);
    assert.equal(t.inputs[0].length, 8 + C);
    assert.equal(t.targets[0].length, 15 * (C + 1));
    assert.equal(t.reln.pathwayNodes.length, C + 1);
  }
});

test('Sec. 4 dataset: the ReLN is common + C pathways each on in C − 1 contexts', () => {
  const t = contextualTaskSec4({ hidden: 7 });
  assert.deepEqual(t.reln.patterns, contextPatterns(t.context, 3, 'double').patterns);
  assert.deepEqual(t.reln.names, ['common', 'not0', 'not1', 'not2']);
  assert.equal(t.reln.graph.node('not1').size, 7);
  assert.equal(t.reln.data.nSamples, 24);
});

test('Sec. 4 dataset: bad options are typed GdlnErrors', () => {
  for (const o of [{ contexts: 2 }, { contexts: 6 }, { contexts: 3.5 }, { seed: -1 }, { variation: 'odd' as never }, { hidden: 0 }]) {
    assert.throws(() => contextualTaskSec4(o), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_INVALID_ARGUMENT', JSON.stringify(o));
  }
});
