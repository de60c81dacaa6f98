// Kernel benchmark: GFLOP/s of f32, q8 and q4 matmul at M = N = K in {256, 512, 1024} and at the
// decode shape M = 1, N = K = 1024, on the adapter the engine runs on. Used by `npm run bench:kernels`
// (headless Chromium) and runnable from the app at ?bench=kernels.

import type { AdapterReport } from '../gpu/adapter-report';
import type { GpuContext } from '../gpu/runtime';
import { timeKernel } from '../kernels/timing';
import { compare } from '../reference/compare';
import { describeCase, prepareMatmul, type MatmulCase, type MatmulKind } from './matmul-cases';

export interface KernelBenchOptions {
  sizes?: number[];
  decode?: { N: number; K: number };
  kinds?: MatmulKind[];
  /** Also check each result against the float64 reference (slow on the CPU for 1024³). */
  verify?: boolean;
}

export interface KernelBenchRow {
  name: string;
  kind: MatmulKind;
  M: number;
  N: number;
  K: number;
  ms: number;
  gflops: number;
  reps: number;
  maxRelError: number | null;
}

export interface KernelBenchResult {
  when: string;
  adapter: AdapterReport;
  userAgent: string;
  rows: KernelBenchRow[];
}

export function benchCases(opts: KernelBenchOptions = {}): MatmulCase[] {
  const sizes = opts.sizes ?? [256, 512, 1024];
  const decode = opts.decode ?? { N: 1024, K: 1024 };
  const kinds = opts.kinds ?? ['f32', 'q8', 'q4'];
  const cases: MatmulCase[] = [];
  for (const kind of kinds) {
    for (const s of sizes) cases.push({ kind, M: s, N: s, K: s });
    cases.push({ kind, M: 1, ...decode });
  }
  return cases;
}

export async function benchKernels(ctx: GpuContext, opts: KernelBenchOptions = {}, onRow?: (done: number, total: number, name: string) => void): Promise<KernelBenchResult> {
  const cases = benchCases(opts);
  const rows: KernelBenchRow[] = [];
  for (const c of cases) {
    onRow?.(rows.length, cases.length, describeCase(c));
    const prepared = prepareMatmul(ctx, c, rows.length + 1);
    try {
      const maxRelError = opts.verify ? compare(await prepared.run(), prepared.reference()).maxRel : null;
      // Decode-shape kernels are short: more repetitions per batch keep submit overhead small.
      const t = await timeKernel(ctx, prepared.flops, (b) => prepared.record(b), { reps: c.M === 1 ? 20 : 3, batches: 3 });
      rows.push({ name: describeCase(c), ...c, ...t, maxRelError });
    } finally {
      prepared.release();
    }
  }
  onRow?.(rows.length, cases.length, 'done');
  return { when: new Date().toISOString(), adapter: ctx.report, userAgent: typeof navigator === 'undefined' ? 'node' : navigator.userAgent, rows };
}
