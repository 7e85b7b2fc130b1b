/**
 * Classical (Torgerson) multidimensional scaling, as used for make-haste-slowly
 * Fig. 4c (latent representations of the ReLU network and its ReLN over training).
 *
 * From squared distances D²: B = −½ J D² J (J = I − 𝟙𝟙ᵀ/n, double centring), the top
 * `dims` eigenpairs (λ_a, v_a) of B give coordinates X_{:,a} = √max(λ_a, 0) · v_a.
 * For points with exact Euclidean distances in ≤ dims dimensions this recovers them up to
 * rotation, reflection and translation (see {@link procrustes}).
 */
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import { invalidParameter } from '../errors.ts';

export interface MdsResult {
  /** [n][dims] coordinates. */
  coordinates: number[][];
  /** All eigenvalues of B, descending (negative ones mean D is not Euclidean). */
  eigenvalues: number[];
  /** Kruskal stress-1 of the embedding: √(Σ (d_ij − d̂_ij)² / Σ d_ij²). */
  stress: number;
}

function rowsOf(x: readonly (readonly number[])[] | { rows: number; cols: number; data: ArrayLike<number> }, name: string): number[][] {
  if (Array.isArray(x)) return x.map((r) => Array.from(r as readonly number[]));
  const m = x as { rows: number; cols: number; data: ArrayLike<number> };
  if (!m || !Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.data?.length !== m.rows * m.cols) throw invalidParameter('rows or { rows, cols, data }', name, x);
  return Array.from({ length: m.rows }, (_, i) => Array.from({ length: m.cols }, (_, j) => m.data[i * m.cols + j]));
}

/** Squared Euclidean distances between rows. */
export function squaredDistances(points: readonly (readonly number[])[]): number[][] {
  const n = points.length;
  const D = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < points[i].length; k++) s += (points[i][k] - points[j][k]) ** 2;
      D[i][j] = D[j][i] = s;
    }
  }
  return D;
}

/**
 * @param input `{ points }` (rows are items: [n][d], or { rows, cols, data } row-major) or
 *   `{ squaredDistances }` ([n][n], symmetric, zero diagonal)
 * @param dims embedding dimension (default 2)
 * @example const { coordinates } = classicalMds({ points: hiddenActivations }, 2);
 */
export function classicalMds(
  input: { points: readonly (readonly number[])[] | { rows: number; cols: number; data: ArrayLike<number> } } | { squaredDistances: readonly (readonly number[])[] },
  dims = 2,
): MdsResult {
  let D2: number[][];
  if (input && 'points' in input) {
    const pts = rowsOf(input.points, 'points');
    pts.forEach((r, i) => r.forEach((v, j) => {
      if (!Number.isFinite(v)) throw invalidParameter('finite coordinates', `points[${i}][${j}]`, v, 'GDLN_NON_FINITE');
    }));
    D2 = squaredDistances(pts);
  } else if (input && 'squaredDistances' in input) {
    D2 = rowsOf(input.squaredDistances, 'squaredDistances');
    const n = D2.length;
    D2.forEach((r, i) => {
      if (r.length !== n) throw invalidParameter(`a square [${n}][${n}] matrix`, `squaredDistances[${i}]`, r, 'GDLN_SHAPE_MISMATCH');
      r.forEach((v, j) => {
        if (!Number.isFinite(v)) throw invalidParameter('finite distances', `squaredDistances[${i}][${j}]`, v, 'GDLN_NON_FINITE');
      });
    });
  } else {
    throw invalidParameter('{ points } or { squaredDistances }', 'classicalMds input', input);
  }
  const n = D2.length;
  if (n < 2) throw invalidParameter('at least 2 items', 'classicalMds input', n);
  if (!Number.isInteger(dims) || dims < 1 || dims > n) throw invalidParameter(`an integer in [1, ${n}]`, 'dims', dims);
  // Double centring: B = −½ J D² J.
  const rowMean = D2.map((r) => r.reduce((a, b) => a + b, 0) / n);
  const colMean = Array.from({ length: n }, (_, j) => D2.reduce((a, r) => a + r[j], 0) / n);
  const all = rowMean.reduce((a, b) => a + b, 0) / n;
  const B = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) B.set(i, j, -0.5 * (D2[i][j] - rowMean[i] - colMean[j] + all));
  const sym = B.clone().add(B.transpose()).mul(0.5);
  const evd = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  const ev = evd.realEigenvalues;
  const order = ev.map((_, i) => i).sort((a, b) => ev[b] - ev[a]);
  const V = evd.eigenvectorMatrix;
  const coordinates = Array.from({ length: n }, (_, i) => order.slice(0, dims).map((k) => Math.sqrt(Math.max(ev[k], 0)) * V.get(i, k)));
  // Deterministic signs: the largest-magnitude entry of each axis is positive.
  for (let a = 0; a < dims; a++) {
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(coordinates[i][a]) > Math.abs(big)) big = coordinates[i][a];
    if (big < 0) for (let i = 0; i < n; i++) coordinates[i][a] = -coordinates[i][a];
  }
  const E2 = squaredDistances(coordinates);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.sqrt(Math.max(D2[i][j], 0));
      num += (d - Math.sqrt(E2[i][j])) ** 2;
      den += d * d;
    }
  }
  return { coordinates, eigenvalues: order.map((k) => ev[k]), stress: den > 0 ? Math.sqrt(num / den) : 0 };
}

/**
 * Orthogonal Procrustes: the rotation/reflection R (and translation) minimising
 * ‖(A − Ā)R − (B − B̄)‖_F. Use it to lay one MDS embedding on another (Fig. 4c compares the
 * ReLU network's and the ReLN's).
 * @returns the aligned copy of A, R, and the residual ‖(A−Ā)R − (B−B̄)‖_F / ‖B − B̄‖_F
 */
export function procrustes(A: readonly (readonly number[])[], B: readonly (readonly number[])[]): { aligned: number[][]; rotation: number[][]; residual: number } {
  if (A.length !== B.length || A.length === 0 || A[0].length !== B[0].length) throw invalidParameter(`two [n][d] arrays of the same shape`, 'procrustes A, B', A.length, 'GDLN_SHAPE_MISMATCH');
  const centre = (M: readonly (readonly number[])[]) => {
    const mean = M[0].map((_, j) => M.reduce((a, r) => a + r[j], 0) / M.length);
    return { c: new Matrix(M.map((r) => r.map((v, j) => v - mean[j]))), mean };
  };
  const a = centre(A);
  const b = centre(B);
  const svd = new SingularValueDecomposition(a.c.transpose().mmul(b.c));
  const R = svd.leftSingularVectors.mmul(svd.rightSingularVectors.transpose());
  const AR = a.c.mmul(R);
  const diff = AR.clone().sub(b.c);
  const nb = b.c.norm('frobenius');
  const aligned = AR.to2DArray().map((r) => r.map((v, j) => v + b.mean[j]));
  return { aligned, rotation: R.to2DArray(), residual: nb > 0 ? diff.norm('frobenius') / nb : diff.norm('frobenius') };
}
