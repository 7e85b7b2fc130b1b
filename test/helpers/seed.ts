/**
 * Fresh randomness every run, reproducible on failure: the seed comes from
 * GDLN_TEST_SEED when set, else from the clock, and every randomised test
 * prints it in its assertion messages.
 */
export function testSeed(): number {
  const env = process.env.GDLN_TEST_SEED;
  if (env !== undefined && env !== '') return Number(env) >>> 0;
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

export function reproducer(seed: number): string {
  return `reproduce with GDLN_TEST_SEED=${seed}`;
}
