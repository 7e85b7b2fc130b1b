/**
 * Seeded random numbers: xoshiro128** seeded by splitmix32, the generator that
 * native/include/gdln/shuffle.h defines bit-for-bit, so the js and native
 * backends draw the same minibatch order. Weights are drawn here once (in TS)
 * and handed to every backend, so all backends start from the same numbers.
 */

export class Rng {
  // State in a Uint32Array: uint32 values above 2^31 are not small integers in
  // V8, and keeping them in plain fields boxes a heap number per draw (~40× slower).
  private readonly s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed: number) {
    let z = seed >>> 0;
    for (let k = 0; k < 4; k++) {
      z = (z + 0x9e3779b9) >>> 0;
      let r = z;
      r = Math.imul(r ^ (r >>> 16), 0x85ebca6b);
      r = Math.imul(r ^ (r >>> 13), 0xc2b2ae35);
      this.s[k] = r ^ (r >>> 16);
    }
  }

  /** Next 32-bit unsigned integer (xoshiro128**). */
  nextU32(): number {
    const s = this.s;
    const x = Math.imul(s[1], 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 11) | (s[3] >>> 21);
    return result;
  }

  /** Uniform integer in [0, bound), computed exactly as shuffle.h does. */
  below(bound: number): number {
    return Math.floor((this.nextU32() / 4294967296) * bound);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates in place, exactly as shuffle.h's shuffle_in_place. */
  shuffle(perm: Int32Array): void {
    for (let i = perm.length - 1; i >= 1; i--) {
      const j = this.below(i + 1);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
  }
}
