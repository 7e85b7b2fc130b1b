/**
 * Input and output transformations of the transformed vision tasks (Saxe et al. 2022,
 * Sec. 5, Fig. 7a; App. D): M input transformations f_i^in (image rotations or pixel
 * permutations) and M output transformations f_j^out (permutations of the class labels).
 *
 * Paper definitions are the defaults; the released code's choices (see
 * /work/shared/ERRATA.md) are named options:
 * - rotations: paper θ_i = 180·i/M degrees (`rotationSpan: 180`); the code spreads the
 *   angles over 270° (`rotationSpan: 270`, read here as θ_i = 270·i/M).
 * - label permutations: the paper says only "permutations"; our reading is M independent
 *   uniformly random permutations drawn from a seed (`'random'`). The code takes the first
 *   M permutations in lexicographic order (`'lexicographic'`): the first is the identity
 *   and, for M ≤ 5! = 120 with 10 classes, classes 0–4 keep their label in every domain.
 */
import { invalidParameter } from '../../errors.ts';
import { Rng } from '../../init/rng.ts';

type Floats = Float32Array | Float64Array;

function positiveInt(x: unknown, name: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1) throw invalidParameter('a positive integer', name, x);
  return x;
}

/** A uniformly random permutation of 0 … size−1 (Fisher–Yates on the project's xoshiro128** stream). */
export function randomPermutation(size: number, rng: Rng): Int32Array {
  const perm = Int32Array.from({ length: positiveInt(size, 'size') }, (_, k) => k);
  rng.shuffle(perm);
  return perm;
}

/** M seeded pixel permutations of a flattened input of `size` values (App. D: "a random permutation matrix"). */
export function pixelPermutations(M: number, size: number, seed = 0): Int32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: positiveInt(M, 'M') }, () => randomPermutation(size, rng));
}

/** out[k] = x[perm[k]] for one flattened input (the permutation matrix P with P_{k,perm[k]} = 1). */
export function permuteVector(x: ArrayLike<number>, perm: Int32Array, out: Floats = new Float64Array(perm.length)): Floats {
  if (x.length !== perm.length) throw invalidParameter(`an input of length ${perm.length}`, 'x', x.length, 'GDLN_SHAPE_MISMATCH');
  for (let k = 0; k < perm.length; k++) out[k] = x[perm[k]];
  return out;
}

/** Rotation angles in degrees: θ_i = span·i/M, i = 0 … M−1 (App. D with span 180; the released code's 270). */
export function rotationAngles(M: number, span: 180 | 270 = 180): number[] {
  if (span !== 180 && span !== 270) throw invalidParameter('180 (paper) or 270 (released code)', 'rotationSpan', span);
  return Array.from({ length: positiveInt(M, 'M') }, (_, i) => (span * i) / M);
}

export interface ImageShape {
  height: number;
  width: number;
  /** Default 1. */
  channels?: number;
  /** Channel layout of a flattened image: 'chw' (CIFAR's stored order, default) or 'hwc'. */
  layout?: 'chw' | 'hwc';
}

/** Snap coordinates within 1e-9 of an integer so multiples of 90° land exactly on pixels. */
const snap = (v: number) => (Math.abs(v - Math.round(v)) < 1e-9 ? Math.round(v) : v);

/**
 * Rotates one flattened image counter-clockwise (as displayed, rows downwards) by `degrees`
 * about its centre ((H−1)/2, (W−1)/2), with bilinear interpolation; source points outside
 * the image read as 0 (zero fill), neighbour by neighbour. With this centre, 90° on a square
 * image is the exact index rotation out[r][c] = in[c][W−1−r] (numpy's rot90).
 */
export function rotateImage(image: ArrayLike<number>, shape: ImageShape, degrees: number, out: Floats = new Float64Array(image.length)): Floats {
  const H = positiveInt(shape?.height, 'height');
  const W = positiveInt(shape.width, 'width');
  const C = positiveInt(shape.channels ?? 1, 'channels');
  if (image.length !== H * W * C) throw invalidParameter(`an image of ${H}×${W}×${C} = ${H * W * C} values`, 'image', image.length, 'GDLN_SHAPE_MISMATCH');
  if (!Number.isFinite(degrees)) throw invalidParameter('a finite angle in degrees', 'degrees', degrees, 'GDLN_NON_FINITE');
  const hwc = shape.layout === 'hwc';
  // index of (row, col, channel) in the flattened image
  const at = hwc ? (r: number, c: number, ch: number) => (r * W + c) * C + ch : (r: number, c: number, ch: number) => (ch * H + r) * W + c;
  const th = (degrees * Math.PI) / 180;
  const cos = snap(Math.cos(th));
  const sin = snap(Math.sin(th));
  const cy = (H - 1) / 2;
  const cx = (W - 1) / 2;
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      // output point in upward-y coordinates, rotated back by −θ to find its source
      const x = c - cx;
      const y = cy - r;
      const cs = snap(cx + cos * x + sin * y);
      const rs = snap(cy - (-sin * x + cos * y));
      const c0 = Math.floor(cs);
      const r0 = Math.floor(rs);
      const fc = cs - c0;
      const fr = rs - r0;
      for (let ch = 0; ch < C; ch++) {
        let v = 0;
        for (let dr = 0; dr <= 1; dr++) {
          const rr = r0 + dr;
          const wr = dr === 0 ? 1 - fr : fr;
          if (wr === 0 || rr < 0 || rr >= H) continue;
          for (let dc = 0; dc <= 1; dc++) {
            const cc = c0 + dc;
            const wc = dc === 0 ? 1 - fc : fc;
            if (wc === 0 || cc < 0 || cc >= W) continue;
            v += wr * wc * image[at(rr, cc, ch)];
          }
        }
        out[at(r, c, ch)] = v;
      }
    }
  }
  return out;
}

/** Rotates n images stored row after row ([n, H·W·C]). */
export function rotateImages(images: ArrayLike<number>, n: number, shape: ImageShape, degrees: number): Float64Array {
  const size = shape.height * shape.width * (shape.channels ?? 1);
  if (images.length !== n * size) throw invalidParameter(`[n=${n}, ${size}] values`, 'images', images.length, 'GDLN_SHAPE_MISMATCH');
  const out = new Float64Array(n * size);
  const src = new Float64Array(size);
  const dst = new Float64Array(size);
  for (let k = 0; k < n; k++) {
    for (let p = 0; p < size; p++) src[p] = images[k * size + p];
    rotateImage(src, shape, degrees, dst);
    out.set(dst, k * size);
  }
  return out;
}

/** The first M permutations of 0 … C−1 in lexicographic order (the released code's output transformations). */
export function lexicographicPermutations(M: number, C: number): Int32Array[] {
  positiveInt(M, 'M');
  positiveInt(C, 'C');
  let fact = 1;
  for (let k = 2; k <= C && fact < M; k++) fact *= k;
  if (M > fact) throw invalidParameter(`M ≤ ${C}! distinct permutations`, 'M', M);
  const perms: Int32Array[] = [];
  const p = Int32Array.from({ length: C }, (_, k) => k);
  for (let m = 0; m < M; m++) {
    perms.push(p.slice());
    // next permutation: rightmost ascent i, swap with the rightmost larger j, reverse the tail
    let i = C - 2;
    while (i >= 0 && p[i] >= p[i + 1]) i--;
    if (i < 0) break;
    let j = C - 1;
    while (p[j] <= p[i]) j--;
    [p[i], p[j]] = [p[j], p[i]];
    p.subarray(i + 1).reverse();
  }
  return perms;
}

/**
 * M label permutations of C classes; perm[y] is the label of class y in that output domain.
 * 'random' (default, our reading of the paper) draws M independent uniform permutations;
 * 'lexicographic' is the released code's first-M-in-order choice.
 */
export function labelPermutations(M: number, C: number, kind: 'random' | 'lexicographic' = 'random', seed = 0): Int32Array[] {
  if (kind === 'lexicographic') return lexicographicPermutations(M, C);
  if (kind !== 'random') throw invalidParameter("'random' (paper) or 'lexicographic' (released code)", 'labelPermutations', kind);
  const rng = new Rng(seed);
  return Array.from({ length: positiveInt(M, 'M') }, () => randomPermutation(C, rng));
}

/** Checks that `perm` is a bijection of 0 … n−1 (a permutation). */
export function isPermutation(perm: ArrayLike<number>): boolean {
  const seen = new Uint8Array(perm.length);
  for (let k = 0; k < perm.length; k++) {
    const v = perm[k];
    if (!Number.isInteger(v) || v < 0 || v >= perm.length || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}

