/**
 * The Gauss hypergeometric function ₂F₁(a, b; c; z) for real parameters and real z < 1,
 * and the pathway potential of the multiple-pathways paper (Shi, Shea-Brown & Buice 2022,
 * eq. 21–22):
 *
 *   G_D(p; κ) = ∫₀^p (κ + s²)^{−(D−1)/2} ds = κ^{−(D−1)/2} · p · ₂F₁(½, (D−1)/2; 3/2; −p²/κ).
 *
 * No maintained JS library for ₂F₁ is a dependency of gdln, so this is a small, tested
 * implementation (test/theory/pathways.test.ts checks it against closed forms:
 * ₂F₁(1,1;2;z) = −ln(1−z)/z, ₂F₁(½,1;3/2;−x²) = atan(x)/x, ₂F₁(½,½;3/2;−x²) = asinh(x)/x,
 * ₂F₁(½,½;3/2;x²) = asin(x)/x, and against the exact recurrence for G_D below):
 *
 * - |z| ≤ 0.5: the Gauss series Σ (a)_n (b)_n / ((c)_n n!) zⁿ (summed to relative 1e−17);
 * - z < −0.5: Pfaff's transformation ₂F₁(a,b;c;z) = (1−z)^{−a} ₂F₁(a, c−b; c; z/(z−1)) (or the
 *   same with a ↔ b), which maps z into (1/3, 1); the series is used when that argument is ≤ 0.9;
 * - otherwise (argument in (0.5, 1)): Euler's integral
 *   ₂F₁ = Γ(c)/(Γ(b)Γ(c−b)) ∫₀¹ t^{b−1}(1−t)^{c−b−1}(1−zt)^{−a} dt (needs c > b > 0, or the
 *   same with a ↔ b), evaluated with the substitution t = u^{1/b}·… removed analytically where
 *   b = ½ and by adaptive Gauss–Kronrod (7–15) quadrature. Parameters outside all of these
 *   cases throw GDLN_UNSUPPORTED rather than returning an inaccurate number.
 *
 * For integer depths D (the only case the networks have), G_D has an exact recurrence in D
 * (see {@link pathwayPotential}); the two routes agree to ~1e−14 in the tests.
 */
import { GdlnError, invalidParameter } from '../errors.ts';

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error ~1e−15). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw invalidParameter('x > 0', 'logGamma argument', x);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const xx = x - 1;
  let s = c[0];
  for (let i = 1; i < g + 2; i++) s += c[i] / (xx + i);
  const t = xx + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(s);
}

function series(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 100000; n++) {
    term *= ((a + n) * (b + n)) / ((c + n) * (n + 1)) * z;
    sum += term;
    if (term === 0 || Math.abs(term) < 1e-17 * Math.abs(sum)) return sum;
  }
  throw new GdlnError('GDLN_INTERNAL', `₂F₁ series did not converge for a=${a}, b=${b}, c=${c}, z=${z}`);
}

// Gauss–Kronrod 7–15 nodes and weights on [−1, 1].
const XGK = [0.991455371120812639, 0.949107912342758525, 0.864864423359769073, 0.741531185599394440, 0.586087235467691130, 0.405845151377397167, 0.207784955007898468, 0];
const WGK = [0.022935322010529225, 0.063092092629978553, 0.104790010322250184, 0.140653259715525919, 0.169004726639267903, 0.190350578064785410, 0.204432940075298892, 0.209482141084727828];
const WG = [0.129484966168869693, 0.279705391489276668, 0.381830050505118945, 0.417959183673469388];

/** Adaptive Gauss–Kronrod integral of f over [lo, hi] to absolute/relative tolerance tol. */
export function integrateAdaptive(f: (x: number) => number, lo: number, hi: number, tol = 1e-14, depth = 0): number {
  const mid = 0.5 * (lo + hi);
  const half = 0.5 * (hi - lo);
  let k = WGK[7] * f(mid);
  let g = WG[3] * f(mid);
  for (let i = 0; i < 7; i++) {
    const dx = half * XGK[i];
    const fs = f(mid - dx) + f(mid + dx);
    k += WGK[i] * fs;
    if (i % 2 === 1) g += WG[(i - 1) / 2] * fs;
  }
  k *= half;
  g *= half;
  // QUADPACK's error estimate for the 15-point Kronrod value: |K − G| is the error of the
  // 7-point Gauss rule, far larger than K's own; (200|K−G|/|K|)^{3/2}·|K| estimates the latter.
  // Depth is capped (2^22 panels at most), so round-off can never make the recursion run away.
  const d = Math.abs(k - g);
  const scale = Math.max(Math.abs(k), 1e-300);
  const est = d === 0 ? 0 : Math.min(d, scale * (200 * d / scale) ** 1.5);
  if (est <= tol * scale || est <= 1e-300 || depth >= 22) return k;
  return integrateAdaptive(f, lo, mid, tol, depth + 1) + integrateAdaptive(f, mid, hi, tol, depth + 1);
}

/** Euler's integral representation with the singular end points removed by substitution. */
function eulerIntegral(a: number, b: number, c: number, z: number): number {
  // ∫₀¹ t^{b−1}(1−t)^{c−b−1}(1−zt)^{−a} dt with t = u^{1/b}: dt = (1/b) u^{1/b − 1} du, so
  // t^{b−1} dt = (1/b) du, and the integrand is (1/b)(1 − u^{1/b})^{c−b−1}(1 − z u^{1/b})^{−a}.
  // When c − b − 1 < 0 the other end is singular too; split at ½ and substitute 1 − t = v^{1/(c−b)} there.
  const e = c - b;
  const pre = Math.exp(logGamma(c) - logGamma(b) - logGamma(e));
  const left = integrateAdaptive((u) => {
    const t = u ** (1 / b);
    return (1 / b) * (1 - t) ** (e - 1) * (1 - z * t) ** -a;
  }, 0, 0.5 ** b);
  const right = integrateAdaptive((v) => {
    const s = v ** (1 / e);
    const t = 1 - s;
    return (1 / e) * t ** (b - 1) * (1 - z * t) ** -a;
  }, 0, 0.5 ** e);
  return pre * (left + right);
}

/**
 * ₂F₁(a, b; c; z) for real a, b, c (c not a non-positive integer) and real z < 1.
 * @throws GdlnError GDLN_INVALID_ARGUMENT (z ≥ 1 or c ∈ {0, −1, …}), GDLN_UNSUPPORTED (a parameter
 *   combination none of the methods above covers accurately)
 * @example hyp2f1(0.5, 1, 1.5, -4) // atan(2)/2
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  for (const [v, n] of [[a, 'a'], [b, 'b'], [c, 'c'], [z, 'z']] as const) if (!Number.isFinite(v)) throw invalidParameter('a finite number', `₂F₁ parameter ${n}`, v);
  if (c <= 0 && Number.isInteger(c)) throw invalidParameter('c not a non-positive integer', '₂F₁ parameter c', c);
  if (!(z < 1)) throw invalidParameter('z < 1', '₂F₁ argument z', z);
  if (z === 0 || a === 0 || b === 0) return 1;
  if (Math.abs(z) <= 0.5) return series(a, b, c, z);
  if (z < 0) {
    const w = z / (z - 1);
    // Pfaff: pick the form whose series terminates or converges fastest (both are valid).
    if (w <= 0.9) return (1 - z) ** -a * series(a, c - b, c, w);
    // Euler integral on the transformed function: needs c > (c−b) > 0, i.e. c > 0 and b > 0.
    if (c > 0 && b > 0 && c - b > 0) return (1 - z) ** -a * eulerIntegral(a, c - b, c, w);
    if (c > 0 && a > 0 && c - a > 0) return (1 - z) ** -b * eulerIntegral(b, c - a, c, w);
    if (c > b && b > 0) return eulerIntegral(a, b, c, z);
    if (c > a && a > 0) return eulerIntegral(b, a, c, z);
  } else {
    if (c > b && b > 0) return eulerIntegral(a, b, c, z);
    if (c > a && a > 0) return eulerIntegral(b, a, c, z);
  }
  throw new GdlnError('GDLN_UNSUPPORTED', `₂F₁(${a}, ${b}; ${c}; ${z}) is outside the parameter range this implementation evaluates accurately (|z| ≤ 0.5, or an Euler integral with c > b > 0)`, { a, b, c, z });
}

/**
 * The pathway potential G_D(p; κ) = ∫₀^p (κ + s²)^{−(D−1)/2} ds (κ > 0), whose difference
 * between two pathways is conserved by the reduced dynamics (multiple-pathways eq. 21–22; the
 * paper's case is κ = 1, where G_D(p) = p·₂F₁(½, (D−1)/2; 3/2; −p²)).
 *
 * Integer D ≥ 1 uses the exact recurrence in m = (D−1)/2 (from integrating by parts):
 *   J_0 = p, J_{1/2} = asinh(p/√κ), J_1 = atan(p/√κ)/√κ,
 *   J_{m+1} = p / (2mκ (κ+p²)^m) + (2m−1)/(2mκ) · J_m.
 * Non-integer D uses ₂F₁.
 */
export function pathwayPotential(p: number, D: number, kappa = 1): number {
  if (!Number.isFinite(p)) throw invalidParameter('a finite p', 'pathway potential argument', p);
  if (!(D >= 1)) throw invalidParameter('a depth D ≥ 1', 'D', D);
  if (!(kappa > 0)) throw invalidParameter('κ > 0', 'kappa', kappa);
  if (!Number.isInteger(D)) return kappa ** (-(D - 1) / 2) * p * hyp2f1(0.5, (D - 1) / 2, 1.5, -(p * p) / kappa);
  const sk = Math.sqrt(kappa);
  const twoM = D - 1; // 2m
  let m: number;
  let J: number;
  if (twoM % 2 === 0) {
    m = 0;
    J = p;
  } else {
    m = 0.5;
    J = Math.asinh(p / sk);
  }
  if (twoM >= 2 && twoM % 2 === 0) {
    m = 1;
    J = Math.atan(p / sk) / sk;
  }
  while (2 * m < twoM) {
    J = p / (2 * m * kappa * (kappa + p * p) ** m) + ((2 * m - 1) / (2 * m * kappa)) * J;
    m += 1;
  }
  return J;
}
