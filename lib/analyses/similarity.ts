/**
 * Representational similarity (kernel) matrices of hidden activations (Saxe, Sodhani &
 * Lewallen 2022, Fig. 4g and 6c: "the dot product between the neural activity in the first
 * hidden layer in response to different inputs").
 *
 * Activations are sample-major `[n, width]` (as `forward` returns them). The similarity
 * matrix is G = H Hᵀ (`'dot'`, the paper's), optionally after subtracting the mean
 * activation over the n inputs (`centre`), or normalised to cosines (`'cosine'`:
 * G_ab / (|h_a||h_b|), 0 where a vector is zero).
 */
import { invalidParameter } from '../errors.ts';

export interface SimilarityOptions {
  /** 'dot' (default, Fig. 4g) or 'cosine'. */
  kind?: 'dot' | 'cosine';
  /** Subtract the mean activation over the inputs first (default false). */
  centre?: boolean;
}

/**
 * Similarity matrix of the rows of `acts` ([n, width] row-major).
 * @returns n × n array of rows
 * @example similarityMatrix(h1, 28, 64, { kind: 'cosine' })
 */
export function similarityMatrix(acts: ArrayLike<number>, n: number, width: number, options: SimilarityOptions = {}): number[][] {
  if (!Number.isInteger(n) || n < 1) throw invalidParameter('a positive integer', 'n', n);
  if (!Number.isInteger(width) || width < 1) throw invalidParameter('a positive integer', 'width', width);
  if (acts.length !== n * width) throw invalidParameter(`${n}·${width} = ${n * width} activations`, 'acts', acts.length, 'GDLN_SHAPE_MISMATCH');
  const kind = options.kind ?? 'dot';
  if (kind !== 'dot' && kind !== 'cosine') throw invalidParameter("'dot' or 'cosine'", 'kind', kind);
  const h = Float64Array.from(acts as ArrayLike<number>);
  if (options.centre) {
    for (let c = 0; c < width; c++) {
      let m = 0;
      for (let a = 0; a < n; a++) m += h[a * width + c];
      m /= n;
      for (let a = 0; a < n; a++) h[a * width + c] -= m;
    }
  }
  const G: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      for (let c = 0; c < width; c++) s += h[a * width + c] * h[b * width + c];
      G[a][b] = s;
      G[b][a] = s;
    }
  }
  if (kind === 'cosine') {
    const norm = G.map((row, a) => Math.sqrt(Math.max(row[a], 0)));
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) G[a][b] = norm[a] > 0 && norm[b] > 0 ? G[a][b] / (norm[a] * norm[b]) : 0;
  }
  return G;
}

export interface CrossDomainSimilarity {
  /** Mean cosine similarity of the same item presented on two different domains. */
  sameItem: number;
  /** Mean cosine similarity of two different items (any domains). */
  differentItem: number;
  /** sameItem − differentItem: ≈ 1 for one shared, domain-invariant representation (Fig. 4g, rich regime); ≈ 0 for unrelated random per-domain codes (Fig. 6c, lazy). */
  contrast: number;
}

/**
 * Cross-domain summary of a cosine similarity matrix whose rows are labelled by
 * (domain, item): how much more alike the same item is across domains than different items.
 */
export function crossDomainSimilarity(cosine: readonly (readonly number[])[], labels: readonly { domain: number; item: number }[]): CrossDomainSimilarity {
  const n = labels.length;
  if (cosine.length !== n) throw invalidParameter(`a ${n} × ${n} matrix`, 'cosine', cosine.length, 'GDLN_SHAPE_MISMATCH');
  let same = 0, nSame = 0, diff = 0, nDiff = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      if (labels[a].item === labels[b].item) {
        if (labels[a].domain !== labels[b].domain) { same += cosine[a][b]; nSame++; }
      } else { diff += cosine[a][b]; nDiff++; }
    }
  }
  const sameItem = nSame ? same / nSame : NaN;
  const differentItem = nDiff ? diff / nDiff : NaN;
  return { sameItem, differentItem, contrast: sameItem - differentItem };
}
