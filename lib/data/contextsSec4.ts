/**
 * The contextual dataset of make-haste-slowly Sec. 4 (Fig. 3, App. B Fig. 8, App. F):
 * 8 items × C contexts (C = 3 in Sec. 4), context-major (sample c·8 + i is item i in
 * context c, as lib/data/contexts.ts).
 *
 * Input x = [one-hot item (8) | one-hot context (C)]. Target
 * y = [common block | context block 0 | … | context block C−1], 15 features each:
 * - the common block is item i's row of the 8 × 15 binary hierarchy (hierarchy8x15,
 *   Saxe et al. 2019; multiple-pathways eq. 32), on in every context;
 * - context block c is on only in context c, and is again an 8-item binary hierarchy but
 *   over a different grouping of the items: block c of item i is the hierarchy row of the
 *   leaf that item i occupies in context c's leaf order. Changing the leaf order changes
 *   which items are siblings (and which four share a branch).
 *
 * This is OUR reconstruction. The paper shows the targets only as a picture ("broadly
 * follow a hierarchical structure across items … but with some variation in each
 * context-specific block. All structures are taken from Saxe et al. (2019)"); App. F
 * fixes Y ∈ R^{(2n−1)×n} hierarchical per block. The default leaf orders (one per
 * context, {@link SEC4_LEAF_ORDERS}) are fixed and documented; `seed` draws random
 * ones instead; `variation: 'none'` puts the same hierarchy in every block (the
 * symmetric Sec. 5 construction on 8 items).
 *
 * `reln` is the Sec. 4 ReLN (Fig. 3 right) built with lib/reln/reln.ts: a common
 * pathway on for every sample and C pathways each on in C − 1 contexts ('double'
 * patterns of contextPatterns), every pathway reading all inputs and writing all outputs.
 */
import { Rng } from '../init/rng.ts';
import { hierarchy8x15 } from './hierarchy.ts';
import { invalidParameter } from '../errors.ts';
import { buildReln, contextPatterns, type Reln } from '../reln/reln.ts';
import { contextualSamples } from './contexts.ts';

/** Items of the Sec. 4 task. */
export const SEC4_ITEMS = 8;
/** Features per block (the 8 × 15 hierarchy). */
export const SEC4_BLOCK = 15;

/**
 * Default leaf order of each context block (items listed left to right under the tree):
 * context 0 keeps the common grouping; context 1 swaps siblings inside each branch of four;
 * context 2 groups even against odd items; 3 and 4 (for 4–5 contexts) are two more regroupings.
 */
export const SEC4_LEAF_ORDERS: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7],
  [0, 2, 1, 3, 4, 6, 5, 7],
  [0, 4, 2, 6, 1, 5, 3, 7],
  [0, 3, 1, 2, 4, 7, 5, 6],
  [0, 5, 2, 7, 1, 4, 3, 6],
];

export interface ContextualSec4Options {
  /** Number of contexts C, 3–5 (default 3, Sec. 4). */
  contexts?: number;
  /**
   * How the context blocks vary: 'fixed' (default: SEC4_LEAF_ORDERS), 'random' (a
   * uniformly random leaf order per context from `seed`), 'none' (the common hierarchy
   * in every block).
   */
  variation?: 'fixed' | 'random' | 'none';
  /** Seed of the 'random' variation (default 0). Passing a seed alone selects 'random'. */
  seed?: number;
  /** Neurons per pathway of the ReLN (default 100, App. H). */
  hidden?: number;
}

export interface ContextualSec4Task {
  C: number;
  nItems: number;
  /** [N][8 + C] inputs and [N][15·(C + 1)] targets, N = 8·C, context-major. */
  inputs: number[][];
  targets: number[][];
  /** Context of each sample. */
  context: number[];
  /** Item of each sample. */
  item: number[];
  /** Leaf order of each context block (items left to right). */
  leafOrders: number[][];
  /** The ReLN of Fig. 3 (common + C pathways on in C − 1 contexts), with its pattern names. */
  reln: Reln & { names: string[] };
}

/**
 * @throws GdlnError GDLN_INVALID_ARGUMENT for C outside 3–5, a bad seed/variation or hidden width
 * @example const task = contextualTaskSec4(); // 24 samples, 11 inputs, 60 outputs
 */
export function contextualTaskSec4(options: ContextualSec4Options = {}): ContextualSec4Task {
  if (options === null || typeof options !== 'object') throw invalidParameter('an options object', 'options', options);
  const C = options.contexts ?? 3;
  if (!Number.isInteger(C) || C < 3 || C > 5) throw invalidParameter('an integer number of contexts in [3, 5]', 'contexts', C);
  const variation = options.variation ?? (options.seed !== undefined ? 'random' : 'fixed');
  if (variation !== 'fixed' && variation !== 'random' && variation !== 'none') throw invalidParameter('"fixed", "random" or "none"', 'variation', variation);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw invalidParameter('an integer seed in [0, 2^32)', 'seed', seed);
  const hidden = options.hidden ?? 100;
  if (!Number.isInteger(hidden) || hidden < 1) throw invalidParameter('a positive integer', 'hidden', hidden);

  const n = SEC4_ITEMS;
  const F = SEC4_BLOCK;
  const H = hierarchy8x15();
  const rng = new Rng(seed);
  const leafOrders = Array.from({ length: C }, (_, c) => {
    if (variation === 'none') return [...SEC4_LEAF_ORDERS[0]];
    if (variation === 'fixed') return [...SEC4_LEAF_ORDERS[c]];
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  });
  // leafOf[c][item] = the leaf (hierarchy row) the item occupies in context c's block.
  const leafOf = leafOrders.map((order) => {
    const inv = new Array<number>(n);
    order.forEach((item, leaf) => (inv[item] = leaf));
    return inv;
  });

  const { inputs, targets, context, item } = contextualSamples(n, C, F, (i) => H[i], (c, i) => H[leafOf[c][i]]);
  const { patterns, names } = contextPatterns(context, C, 'double');
  const reln = buildReln({ inputs, targets, patterns, names, hidden });
  return { C, nItems: n, inputs, targets, context, item, leafOrders, reln: { ...reln, names } };
}
