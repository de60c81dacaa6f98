// The GPU panel's self-test: run the f32 and q4 matmul kernels (prefill and decode shapes) on the
// user's adapter, compare with the float64 reference on the CPU, and time them.

import type { GpuContext } from '../gpu/runtime';
import { timeKernel } from '../kernels/timing';
import { compare } from '../reference/compare';
import { describeCase, prepareMatmul, type MatmulCase } from './matmul-cases';

/** Norm-wise relative error allowed: f32 accumulation over K = 256 stays far below it. */
export const SELF_TEST_TOLERANCE = 1e-5;

export const SELF_TEST_CASES: MatmulCase[] = [
  { kind: 'f32', M: 256, N: 256, K: 256 },
  { kind: 'q4', M: 256, N: 256, K: 256 },
  { kind: 'q4', M: 1, N: 256, K: 256 },
];

export interface SelfTestCheck {
  name: string;
  maxAbsError: number;
  maxRelError: number;
  tolerance: number;
  passed: boolean;
  ms: number;
  gflops: number;
}

export interface SelfTestResult {
  passed: boolean;
  checks: SelfTestCheck[];
}

export async function runSelfTest(ctx: GpuContext, onCheck?: (done: number, total: number, name: string) => void): Promise<SelfTestResult> {
  const checks: SelfTestCheck[] = [];
  for (const c of SELF_TEST_CASES) {
    const name = `${describeCase(c)}${c.M === 1 ? ' (decode)' : ''}`;
    onCheck?.(checks.length, SELF_TEST_CASES.length, name);
    const prepared = prepareMatmul(ctx, c, checks.length + 1);
    try {
      const d = compare(await prepared.run(), prepared.reference());
      const t = await timeKernel(ctx, prepared.flops, (b) => prepared.record(b), { reps: 2, batches: 1 });
      checks.push({ name, maxAbsError: d.maxAbs, maxRelError: d.maxRel, tolerance: SELF_TEST_TOLERANCE, passed: d.maxRel <= SELF_TEST_TOLERANCE, ms: t.ms, gflops: t.gflops });
    } finally {
      prepared.release();
    }
  }
  onCheck?.(checks.length, SELF_TEST_CASES.length, 'done');
  return { passed: checks.every((c) => c.passed), checks };
}
