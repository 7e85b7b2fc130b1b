/**
 * A small procedural stand-in for MNIST, so the transformed vision tasks run with no
 * download: 28×28 grey images of the ten digits drawn as seven-segment strokes, with
 * per-sample shift, slant, stroke width, intensity and pixel noise. Classes are
 * separable but not identical copies, which is all the routing experiments need from a
 * base dataset (Saxe et al. 2022, Sec. 5 uses MNIST / CIFAR-10).
 */
import { invalidParameter } from '../../errors.ts';
import { Rng } from '../../init/rng.ts';
import type { ImageSet } from './idx.ts';

// Segment end points (x, y) on the 28×28 grid: a top, b top-right, c bottom-right,
// d bottom, e bottom-left, f top-left, g middle.
const L = 9, R = 18, T = 5, M = 13.5, B = 22;
const SEGMENTS: Record<string, [number, number, number, number]> = {
  a: [L, T, R, T], b: [R, T, R, M], c: [R, M, R, B], d: [L, B, R, B],
  e: [L, M, L, B], f: [L, T, L, M], g: [L, M, R, M],
};
const DIGITS = ['abcdef', 'bc', 'abged', 'abgcd', 'fgbc', 'afgcd', 'afgedc', 'abc', 'abcdefg', 'abcdfg'];

/** Squared distance from (px, py) to the segment (x0, y0)–(x1, y1). */
function dist2(px: number, py: number, [x0, y0, x1, y1]: [number, number, number, number]): number {
  const dx = x1 - x0, dy = y1 - y0;
  const t = Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy)));
  const ex = px - (x0 + t * dx), ey = py - (y0 + t * dy);
  return ex * ex + ey * ey;
}

/**
 * `n` synthetic digit images (labels balanced: sample k has class k mod 10, then shuffled).
 * @returns an ImageSet like loadMnistLike's: images [n, 784] in [0, 1], labels 0–9
 */
export function syntheticDigits(n: number, seed = 0): ImageSet {
  if (!Number.isInteger(n) || n < 1) throw invalidParameter('a positive integer', 'n', n);
  const rng = new Rng(seed);
  const order = Int32Array.from({ length: n }, (_, k) => k % 10);
  rng.shuffle(order);
  const images = new Float32Array(n * 784);
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const y = order[k];
    labels[k] = y;
    const sx = (rng.uniform() - 0.5) * 5;
    const sy = (rng.uniform() - 0.5) * 5;
    const slant = (rng.uniform() - 0.5) * 0.4;
    const width = 0.9 + 0.7 * rng.uniform();
    const ink = 0.75 + 0.25 * rng.uniform();
    const segs = [...DIGITS[y]].map((s) => SEGMENTS[s]);
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        // undo the shift and slant (x leans with height about the middle row)
        const py = r - sy;
        const px = c - sx + slant * (py - M);
        let d = Infinity;
        for (const s of segs) d = Math.min(d, dist2(px, py, s));
        const v = ink * Math.exp(-d / (2 * width * width)) + 0.05 * rng.uniform();
        images[k * 784 + r * 28 + c] = Math.min(1, v);
      }
    }
  }
  return { images, labels, n, height: 28, width: 28, channels: 1, classes: 10, files: [] };
}
