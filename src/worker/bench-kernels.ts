// Kernel benchmark (issue 16's roofline): the adapter's copy bandwidth, then every applicable variant
// of the f32, q8 and q4 matmul tables (MATMUL_VARIANTS, Q_MATMUL_VARIANTS) at M = N = K in
// {256, 512, 1024} and at the decode shape M = 1, N = K = 1024, each dispatched by name through the
// ops' `variant` option, and the autotuner's choice for the same shapes as the engine runs it at load
// (tuneKernels, default budget, no cache). Products are Y [M, N] = X [M, K] · Wᵀ with W [N, K] as a
// model stores it (f32 with B transposed, or packed). Used by `npm run bench:kernels` (headless
// Chromium), `npm run bench:device` (Node) and runnable from the app at ?bench=kernels.

import type { AdapterReport } from '../gpu/adapter-report';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { measureBandwidth, type BandwidthResult } from '../kernels/bandwidth';
import { MATMUL_VARIANTS, matmul, matmulDims } from '../kernels/matmul';
import { Q_MATMUL_VARIANTS, matmulQ, type QMatmulVariant } from '../kernels/matmul-q';
import { readTensor, releaseTensor, uploadQWeight, uploadTensor, type GpuQWeight, type GpuTensor } from '../kernels/tensor';
import { timeKernel } from '../kernels/timing';
import { tuneKernels, type TuneReport } from '../kernels/tuner';
import { applicableVariants, type OpTable } from '../kernels/variants';
import { dequantize, quantize } from '../model/quant';
import { compare } from '../reference/compare';
import { matmulRef } from '../reference/matmul';
import { randomArray } from '../reference/random';
import type { MatmulKind } from './matmul-cases';

export interface KernelBenchOptions {
  sizes?: number[];
  decode?: { N: number; K: number };
  kinds?: MatmulKind[];
  /** Also check each result against the float64 reference (slow on the CPU for 1024³). */
  verify?: boolean;
  /** Bytes of the buffer the copy bandwidth is measured on (default 256 MiB, capped by the limits). */
  bandwidthBytes?: number;
}

export interface KernelBenchRow {
  /** "q4 1x1024x1024". */
  name: string;
  kind: MatmulKind;
  variant: string;
  /** The table's default for this shape (what runs untuned). */
  isDefault: boolean;
  M: number;
  N: number;
  K: number;
  /** Median milliseconds of one run (wall clock of a batch ÷ its runs). */
  ms: number;
  gflops: number;
  /** Bytes of W as stored plus X and Y, ÷ time: the figure to hold against the copy bandwidth. */
  gbps: number;
  /** Runs per timed batch and timed batches (1 x 1 where one run took longer than SLOW_RUN_MS). */
  reps: number;
  batches: number;
  maxRelError: number | null;
}

export interface KernelBenchResult {
  when: string;
  adapter: AdapterReport;
  userAgent: string;
  bandwidth: BandwidthResult;
  rows: KernelBenchRow[];
  /** The tuner as the engine runs it at model load, on the bench's shapes. */
  tuning: TuneReport;
}

/** Wall time a timed batch aims at, so submit overhead is small next to the kernels on a real GPU. */
const BATCH_MS = 50;
/** A run slower than this (barrier kernels on a software adapter) is timed once, not in batches. */
const SLOW_RUN_MS = 2000;
/** Outputs one batch may hold before it is submitted (each run allocates its own). */
const BATCH_OUTPUT_BYTES = 256 * 2 ** 20;
const MAX_REPS = 256;

interface Case {
  kind: MatmulKind;
  M: number;
  N: number;
  K: number;
}

export function benchCases(opts: KernelBenchOptions = {}): Case[] {
  const sizes = opts.sizes ?? [256, 512, 1024];
  const decode = opts.decode ?? { N: 1024, K: 1024 };
  const kinds = opts.kinds ?? ['f32', 'q8', 'q4'];
  return kinds.flatMap((kind) => [...sizes.map((s) => ({ kind, M: s, N: s, K: s })), { kind, M: 1, ...decode }]);
}

/** One case's inputs on the GPU, the variants that apply to it, and how to record one run of each. */
interface Prepared {
  name: string;
  weight: GpuTensor | GpuQWeight;
  variants: { name: string; isDefault: boolean }[];
  bytes: number;
  record(batch: Batch, variant: string): Promise<GpuTensor>;
  reference(): Float64Array;
  release(): void;
}

function prepare(ctx: GpuContext, c: Case, seed: number): Prepared {
  const { kind, M, N, K } = c;
  const xs = randomArray(M * K, seed);
  const ws = randomArray(N * K, seed + 1);
  const x = uploadTensor(ctx, xs, [M, K], 'bench.x');
  const names = <S, A>(table: OpTable<S, A>, shape: S) => {
    const def = table.defaultFor(shape);
    return applicableVariants(ctx, table, shape).map((v) => ({ name: v.name, isDefault: v.name === def }));
  };
  const io = 4 * (M * K + M * N);
  const common = { name: `${kind} ${M}x${N}x${K}` };
  if (kind === 'f32') {
    const w = uploadTensor(ctx, ws, [N, K], 'bench.w');
    return {
      ...common,
      weight: w,
      variants: names(MATMUL_VARIANTS, matmulDims(x, w, { transB: true })),
      bytes: 4 * N * K + io,
      record: (batch, variant) => matmul(ctx, batch, x, w, { transB: true, variant, name: `bench.${variant}` }),
      reference: () => matmulRef(xs, ws, { M, N, K, transB: true }),
      release: () => [x, w].forEach((t) => releaseTensor(ctx, t)),
    };
  }
  const q = quantize(kind, ws, N, K);
  const w = uploadQWeight(ctx, q, 'bench.w');
  return {
    ...common,
    weight: w,
    variants: names(Q_MATMUL_VARIANTS[kind], { kind, M, N, K }),
    bytes: q.data.byteLength + q.scales.byteLength + (q.kind === 'q4' ? (q.zeroPoints?.byteLength ?? 0) : 0) + io,
    record: (batch, variant) => matmulQ(ctx, batch, x, w, { variant: variant as QMatmulVariant, name: `bench.${variant}` }),
    reference: () => matmulRef(xs, dequantize(q), { M, N, K, transB: true }),
    release: () => [x, w].forEach((t) => releaseTensor(ctx, t)),
  };
}

/** One probe run (after a compiling warm-up) sets the batch size; slow variants keep the probe. */
async function timeVariant(ctx: GpuContext, flops: number, outBytes: number, record: (batch: Batch) => Promise<() => void>) {
  const probe = await timeKernel(ctx, flops, record, { reps: 1, batches: 1 });
  if (probe.ms > SLOW_RUN_MS) return { ...probe, batches: 1 };
  const reps = Math.max(1, Math.min(MAX_REPS, Math.floor(BATCH_OUTPUT_BYTES / outBytes), Math.ceil(BATCH_MS / Math.max(probe.ms, 1e-3))));
  return { ...(await timeKernel(ctx, flops, record, { reps, batches: 3 })), batches: 3 };
}

export async function benchKernels(ctx: GpuContext, opts: KernelBenchOptions = {}, onRow?: (done: number, total: number, name: string) => void): Promise<KernelBenchResult> {
  onRow?.(0, 1, 'copy bandwidth');
  const bandwidth = await measureBandwidth(ctx, { bytes: opts.bandwidthBytes });
  const cases = benchCases(opts);
  const prepared = cases.map((c, i) => prepare(ctx, c, 2 * i + 1));
  try {
    const total = prepared.reduce((s, p) => s + p.variants.length, 0);
    const rows: KernelBenchRow[] = [];
    for (const [i, p] of prepared.entries()) {
      const { kind, M, N, K } = cases[i];
      const ref = opts.verify ? p.reference() : null;
      for (const v of p.variants) {
        onRow?.(rows.length, total, `${p.name} ${v.name}`);
        const record = async (batch: Batch) => {
          const out = await p.record(batch, v.name);
          return () => releaseTensor(ctx, out);
        };
        let maxRelError: number | null = null;
        if (ref) {
          const batch = ctx.batch();
          const out = await p.record(batch, v.name);
          await batch.submit();
          maxRelError = compare(await readTensor(ctx, out), ref).maxRel;
          releaseTensor(ctx, out);
        }
        const t = await timeVariant(ctx, 2 * M * N * K, 4 * M * N, record);
        rows.push({ name: p.name, kind, variant: v.name, isDefault: v.isDefault, M, N, K, ms: t.ms, gflops: t.gflops, gbps: p.bytes / (t.ms * 1e6), reps: t.reps, batches: t.batches, maxRelError });
      }
    }
    onRow?.(rows.length, total, 'autotuner');
    const tuning = await tuneKernels(
      ctx,
      prepared.map((p, i) => ({ M: cases[i].M, weight: p.weight, label: p.name })),
    );
    onRow?.(total, total, 'done');
    return { when: new Date().toISOString(), adapter: ctx.report, userAgent: typeof navigator === 'undefined' || !navigator.userAgent ? 'node' : navigator.userAgent, bandwidth, rows, tuning };
  } finally {
    prepared.forEach((p) => p.release());
  }
}
