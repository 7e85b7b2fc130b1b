/**
 * The backends the conformance suite runs against the js reference. A backend
 * that is not available here is reported with its reason (the suite is skipped
 * with that reason printed), never silently dropped — unless it is listed in
 * GDLN_REQUIRE_BACKENDS (CI sets `cpu`), in which case its absence fails.
 */
import { backendStatus } from '../../lib/backends/index.ts';
import type { BackendName, DType } from '../../lib/engine/kernels.ts';

export interface BackendUnderTest {
  name: Exclude<BackendName, 'js'>;
  available: boolean;
  /** First line of the reason it is unavailable (or what it runs on). */
  reason: string;
  /** True when the environment demands this backend. */
  required: boolean;
}

export function requiredBackends(): string[] {
  return (process.env.GDLN_REQUIRE_BACKENDS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export function backendsUnderTest(): BackendUnderTest[] {
  const required = requiredBackends();
  return backendStatus()
    .filter((s) => s.name !== 'js')
    .map((s) => ({
      name: s.name as Exclude<BackendName, 'js'>,
      available: s.available,
      reason: s.detail.split('\n')[0],
      required: required.includes(s.name),
    }));
}

/** node:test `skip` value: false when the backend runs, else the printed reason. */
export function skipUnlessAvailable(b: BackendUnderTest): false | string {
  return b.available || b.required ? false : `${b.name} unavailable: ${b.reason}`;
}

export const DTYPES: DType[] = ['float64', 'float32'];
