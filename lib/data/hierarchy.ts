/**
 * Hierarchically structured item–feature datasets (Saxe, McClelland & Ganguli 2019;
 * Saxe et al. 2022 Fig. 4c; multiple-pathways eq. 32; Jarvis et al. 2025 Fig. 3, 7).
 *
 * A binary tree of depth d has 2^d leaves (the items) and 2^{d+1} − 1 nodes (the
 * features). Item i has feature f when f is the leaf i or one of its ancestors.
 * Features are ordered breadth-first: the root ("grow"), then level 1 ("animal",
 * "plant"), …, then the leaves — so depth 2 is the 4-item × 7-feature dataset of
 * race-reduction Fig. 4c and depth 3 the 8 × 15 matrix Y of multiple-pathways eq. 32.
 */
import { invalidParameter } from '../errors.ts';

/**
 * Targets of a binary hierarchy, sample-major: row i is item i's feature vector.
 * @param depth tree depth ≥ 1 (default 2: 4 items × 7 features)
 * @returns [2^depth][2^{depth+1} − 1] of 0/1
 * @example binaryHierarchy(2)[0] // [1, 1, 0, 1, 0, 0, 0]
 */
export function binaryHierarchy(depth = 2): number[][] {
  if (!Number.isInteger(depth) || depth < 1 || depth > 12) throw invalidParameter('an integer depth in [1, 12]', 'depth', depth);
  const items = 2 ** depth;
  const features = 2 ** (depth + 1) - 1;
  return Array.from({ length: items }, (_, i) => {
    const row = new Array<number>(features).fill(0);
    for (let level = 0; level <= depth; level++) row[2 ** level - 1 + Math.floor(i / 2 ** (depth - level))] = 1;
    return row;
  });
}

/** The 4-item × 7-feature hierarchy of race-reduction Fig. 4c (items are rows). */
export function hierarchy4x7(): number[][] {
  return binaryHierarchy(2);
}

/** The 8-item × 15-feature hierarchy of multiple-pathways eq. 32 (items are rows). */
export function hierarchy8x15(): number[][] {
  return binaryHierarchy(3);
}
