// The kernel autotuner (issue 16): for a model's real matmul, attention and loss shapes, time every
// applicable variant of the op tables (variants.ts) on this adapter, pick the fastest, install the
// choice so the ops dispatch it, and remember it per adapter and shape class in a cache (IndexedDB in
// browsers), so the next load on the same adapter, driver and browser skips the timing.
//
// Timing: a Batch with its own Profiler, so timestamp queries are used where the device offers them
// (each dispatch its own pass; split-K's two passes summed), else wall clock from submit to
// onSubmittedWorkDone per batch (quantized timestamps: see measure). One warm-up run compiles the pipeline; then two batches of `reps`
// runs, the faster taken. Within a bounded total (`budgetMs`, compiles included) every shape class's
// default is timed first (cheapest first), then each variant across the classes (its pipeline
// compiles once); a variant is only tried while 10x the default's time still fits (workgroup-memory
// kernels can be that much slower on software adapters). A slow adapter thus keeps the defaults for
// its largest shapes; such rows say 'skipped' and are cached as measured. The overrun past the
// budget is at most one warm-up (a compile: seconds for barrier kernels on SwiftShader). A variant replaces the default only when at least 5%
// faster (timings on one adapter wobble by a few percent).

import { Batch } from '../gpu/batch';
import { Profiler } from '../gpu/profiler';
import { resolvedTime, type BatchTime } from './timing';
import type { GpuContext } from '../gpu/runtime';
import { ATTENTION_VARIANTS, type AttentionArgs, type AttentionDims, type KvCache } from './attention';
import { MATMUL_VARIANTS, matmulDims, type MatmulArgs, type MatmulDims } from './matmul';
import { Q_BACKWARD_VARIANTS, Q_MATMUL_VARIANTS, type QBackwardArgs, type QMatmulArgs, type QMatmulDims } from './matmul-q';
import { emptyTensor, releaseTensor, uploadTensor, uploadU32, type GpuQWeight, type GpuTensor } from './tensor';
import { LSE_VARIANTS, type LseArgs, type LseDims } from './vocab-lse';
import { adapterKey, applicableVariants, choiceKey, clearTunedChoices, setTunedChoices, type KernelVariant, type OpTable } from './variants';

export type TuneMode = 'on' | 'off';

/**
 * One product to tune: X [M, K] times a weight W [N, K] (f32 with B transposed, or packed q4/q8);
 * with `backward`, dY [M, N] back through a packed W to dX [M, K] (LoRA on a quantized base).
 */
export interface MatmulTuneShape {
  M: number;
  weight: GpuTensor | GpuQWeight;
  backward?: boolean;
  /** Which weights share this shape (shown in the table): "q, o", "lm_head". */
  label: string;
}

/** One attention step to tune: B sequences of Tq new queries, each after `past` cached tokens. */
export interface AttentionTuneShape {
  attention: { B: number; Tq: number; past: number; H: number; Hkv: number; D: number };
  /** Shown in the table's weights column: "14/2 heads". */
  label: string;
}

/** The loss's logsumexp merge over one vocabulary shard's logits [N, Vs] (vocab-lse.ts). */
export interface LseTuneShape {
  lse: { N: number; Vs: number };
  /** Shown in the table's weights column: "lm_head". */
  label: string;
}

export type TuneShape = MatmulTuneShape | AttentionTuneShape | LseTuneShape;

export type TuneSource = 'timestamp' | 'wall-clock' | 'cache' | 'default' | 'skipped';

export interface TuneRow {
  op: string;
  /** Matmul: M x N x K; attention: Tq x Tk x D (queries per sequence, keys of the last, head dim). */
  shape: string;
  /** The choice key: shapes with the same key share the choice. */
  key: string;
  label: string;
  variant: string;
  /** Milliseconds of one run; null where not timed (tuning off, or skipped for the budget). */
  ms: number | null;
  gflops: number | null;
  /** Bytes of W, X and Y (attention: K, V, q and out) moved per run ÷ time: what bounds decoding. */
  gbps: number | null;
  chosen: boolean;
  source: TuneSource;
}

export interface TuneReport {
  adapterKey: string;
  mode: TuneMode;
  /** Every shape's choice came from the cache: nothing was timed. */
  fromCache: boolean;
  /** Wall-clock milliseconds the tuning took (0 from the cache). */
  spentMs: number;
  /** Batches submitted to time kernels (0 when everything came from the cache or tuning is off). */
  timingBatches: number;
  rows: TuneRow[];
}

/** Stored per adapter key: each shape class's rows as measured. */
export interface CachedTuning {
  signature: string;
  shapes: Record<string, TuneRow[]>;
}

export interface TuneCache {
  get(adapterKey: string): Promise<CachedTuning | null>;
  put(adapterKey: string, value: CachedTuning): Promise<void>;
}

export interface TuneOptions {
  mode?: TuneMode;
  cache?: TuneCache;
  /** Bound on the total timing, milliseconds (default 2000). */
  budgetMs?: number;
  /** GPU time aimed at per timed batch, milliseconds (default 4): sets the repetitions. */
  batchMs?: number;
  onProgress?: (done: number, total: number, label: string) => void;
}

/** Bumped when a kernel changes in a way that invalidates measured speeds. */
const TUNER_VERSION = 4;
const SLOWEST_EXPECTED = 10;
const MIN_GAIN = 0.05;
/** GPU time a timed batch must span to count (about 15 of Dawn's timestamp quanta). */
const MIN_MEASURED_MS = 1;
/** Runs per batch at most (two timestamp queries each, under the 4096 per query set). */
const MAX_REPS = 256;

type AnyTable = OpTable<MatmulDims, MatmulArgs> | OpTable<QMatmulDims, QMatmulArgs> | OpTable<QMatmulDims, QBackwardArgs> | OpTable<AttentionDims, AttentionArgs> | OpTable<LseDims, LseArgs>;

/** Cached choices are only trusted for the same kernels: the version and every table's variant names. */
export function tunerSignature(): string {
  const tables: AnyTable[] = [MATMUL_VARIANTS, Q_MATMUL_VARIANTS.q4, Q_MATMUL_VARIANTS.q8, Q_BACKWARD_VARIANTS.q4, Q_BACKWARD_VARIANTS.q8, ATTENTION_VARIANTS, LSE_VARIANTS];
  return `v${TUNER_VERSION}:${tables.map((t) => `${t.op}=${t.variants.map((v) => v.name).join(',')}`).join(';')}`;
}

/** A problem to time: its op table, dims, and how to record one run with scratch input/output. */
interface Problem {
  table: AnyTable;
  dims: MatmulDims | QMatmulDims | AttentionDims | LseDims;
  key: string;
  label: string;
  shape: string;
  flops: number;
  bytes: number;
  op: string;
  /** Records one run of `variant` (allocating its output) and returns the output to release. */
  record(ctx: GpuContext, batch: Batch, variant: KernelVariant<never, never>): Promise<GpuTensor>;
  release(ctx: GpuContext): void;
}

const bindLimit = (ctx: GpuContext) => Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize);

/** Rows of X and Y that bind on this device (a lowered ?bindingLimit= page splits its prefill too). */
function rowsThatBind(ctx: GpuContext, s: MatmulTuneShape): number {
  const [N, K] = 'shape' in s.weight ? s.weight.shape : [s.weight.N, s.weight.K];
  return Math.min(s.M, Math.floor(bindLimit(ctx) / (4 * Math.max(N, K))));
}

/** Whether the shape's scratch binds on this device: some rows of X, or the whole q and cache. */
function fits(ctx: GpuContext, s: TuneShape): boolean {
  if ('weight' in s) return rowsThatBind(ctx, s) >= 1;
  if ('lse' in s) return 4 * s.lse.N * s.lse.Vs <= bindLimit(ctx);
  const { B, Tq, past, H, Hkv, D } = s.attention;
  return 4 * B * Math.max(Tq * H, (past + Tq) * Hkv) * D <= bindLimit(ctx);
}

/** Deterministic scratch values in [-0.5, 0.5]: scores and sums stay far from overflow. */
const pattern = (n: number) => new Float32Array(n).map((_, i) => ((i % 17) - 8) / 16);

/** An attention step with its own q, cache (exactly past + Tq rows) and lengths. */
function attentionProblem(ctx: GpuContext, s: AttentionTuneShape): Problem {
  const { B, Tq, past, H, Hkv, D } = s.attention;
  const Tmax = past + Tq;
  const dims: AttentionDims = { B, Tq, Tmax, H, Hkv, D };
  const q = uploadTensor(ctx, pattern(B * Tq * H * D), [B, Tq, H, D], 'tune.q');
  const cache: KvCache = { k: uploadTensor(ctx, pattern(B * Tmax * Hkv * D), [B, Tmax, Hkv, D], 'tune.k'), v: uploadTensor(ctx, pattern(B * Tmax * Hkv * D), [B, Tmax, Hkv, D], 'tune.v') };
  const seq = uploadU32(ctx, Uint32Array.from({ length: 2 * B }, (_, i) => (i % 2 ? Tq : past)), [B, 2], 'tune.seq');
  // Causal: query t sees past + t + 1 keys; each key costs a D-long dot (q·k) and a D-long axpy (p·v).
  const keys = B * (Tq * past + (Tq * (Tq + 1)) / 2);
  return {
    table: ATTENTION_VARIANTS,
    dims,
    op: ATTENTION_VARIANTS.op,
    key: choiceKey(ATTENTION_VARIANTS, dims),
    label: s.label,
    shape: `${Tq}x${Tmax}x${D}`,
    flops: 4 * H * D * keys,
    bytes: 4 * (2 * B * Tmax * Hkv * D + 2 * B * Tq * H * D),
    async record(c, batch, v) {
      const out = emptyTensor(c, q.shape, 'tune.attention');
      await (v as KernelVariant<AttentionDims, AttentionArgs>).dispatch(c, batch, { seq, q, cache, out, dims, label: `tune.${v.name}` });
      return out;
    },
    release: (c) => [q, cache.k, cache.v, seq].forEach((t) => releaseTensor(c, t)),
  };
}

/** One shard's merge into a fresh state per run (the state's values do not change the work). */
function lseProblem(ctx: GpuContext, s: LseTuneShape): Problem {
  const dims: LseDims = s.lse;
  const { N, Vs } = dims;
  const logits = uploadTensor(ctx, pattern(N * Vs), [N, Vs], 'tune.logits');
  const targets = uploadU32(ctx, Uint32Array.from({ length: N }, (_, i) => (i * 7919) % Vs), [N], 'tune.targets');
  const state = uploadTensor(ctx, new Float32Array(2 * N), [N, 2], 'tune.lse_state');
  return {
    table: LSE_VARIANTS,
    dims,
    op: LSE_VARIANTS.op,
    key: choiceKey(LSE_VARIANTS, dims),
    label: s.label,
    shape: `${N}x${Vs}`,
    // A max, a subtraction, an exp and an add per logit.
    flops: 4 * N * Vs,
    bytes: 4 * N * Vs,
    async record(c, batch, v) {
      const picked = emptyTensor(c, [N], 'tune.picked');
      await (v as KernelVariant<LseDims, LseArgs>).dispatch(c, batch, { dims, logits, targets, state, picked, begin: 0, V: Vs, label: `tune.${v.name}` });
      return picked;
    },
    release: (c) => [logits, targets, state].forEach((t) => releaseTensor(c, t)),
  };
}

/** Bytes of a packed weight's codes. */
const packedBytes = (w: GpuQWeight) => (w.kind === 'q4' ? w.N * w.nBlocks * 16 : w.N * w.nBlocks * 32);

/** dY [M, N] back through a packed W [N, K] to dX [M, K]. */
function qBackwardProblem(ctx: GpuContext, s: MatmulTuneShape, w: GpuQWeight, M: number): Problem {
  const { N, K } = w;
  const table = Q_BACKWARD_VARIANTS[w.kind];
  const dims: QMatmulDims = { kind: w.kind, M, N, K };
  const dy = uploadTensor(ctx, pattern(M * N), [M, N], 'tune.dy');
  return {
    table,
    dims,
    op: table.op,
    key: choiceKey(table, dims),
    label: s.label,
    shape: `${M}x${N}x${K}`,
    flops: 2 * M * N * K,
    bytes: packedBytes(w) + 4 * N * w.nBlocks + 4 * (M * N + M * K),
    async record(c, batch, v) {
      const out = emptyTensor(c, [M, K], 'tune.dx');
      await (v as KernelVariant<QMatmulDims, QBackwardArgs>).dispatch(c, batch, { dy, w, out, dims, label: `tune.${v.name}` });
      return out;
    },
    release: (c) => releaseTensor(c, dy),
  };
}

function problem(ctx: GpuContext, s: TuneShape): Problem {
  if ('attention' in s) return attentionProblem(ctx, s);
  if ('lse' in s) return lseProblem(ctx, s);
  const w = s.weight;
  const [N, K] = 'shape' in w ? w.shape : [w.N, w.K];
  const M = rowsThatBind(ctx, s);
  if (s.backward && !('shape' in w)) return qBackwardProblem(ctx, s, w, M);
  const x = uploadTensor(ctx, pattern(M * K), [M, K], 'tune.x');
  const common = { label: s.label, shape: `${M}x${N}x${K}`, flops: 2 * M * N * K, release: (c: GpuContext) => releaseTensor(c, x) };
  if ('shape' in w) {
    const dims = matmulDims(x, w, { transB: true });
    return {
      ...common,
      table: MATMUL_VARIANTS,
      dims,
      op: MATMUL_VARIANTS.op,
      key: choiceKey(MATMUL_VARIANTS, dims),
      bytes: 4 * (N * K + M * K + M * N),
      async record(c, batch, v) {
        const out = emptyTensor(c, dims.outShape, 'tune.y');
        await (v as KernelVariant<MatmulDims, MatmulArgs>).dispatch(c, batch, { a: x, b: w, out, dims, label: `tune.${v.name}` });
        return out;
      },
    };
  }
  const table = Q_MATMUL_VARIANTS[w.kind];
  const dims: QMatmulDims = { kind: w.kind, M, N, K };
  const weightBytes = packedBytes(w);
  return {
    ...common,
    table,
    dims,
    op: table.op,
    key: choiceKey(table, dims),
    bytes: weightBytes + 4 * N * w.nBlocks + 4 * (M * K + M * N),
    async record(c, batch, v) {
      const out = emptyTensor(c, [M, N], 'tune.y');
      await (v as KernelVariant<QMatmulDims, QMatmulArgs>).dispatch(c, batch, { x, w, out, dims, label: `tune.${v.name}` });
      return out;
    },
  };
}

/** Runs `reps` runs of one variant in one batch: milliseconds by the profiler's account and by wall clock. */
async function timeBatch(ctx: GpuContext, p: Problem, v: KernelVariant<never, never>, reps: number): Promise<BatchTime> {
  const profiler = new Profiler(ctx.device, ctx.pool);
  const batch = new Batch(ctx.device, ctx.pool, ctx.limits, profiler);
  const outs: GpuTensor[] = [];
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) outs.push(await p.record(ctx, batch, v));
  await batch.submit();
  const wall = performance.now() - t0;
  outs.forEach((o) => releaseTensor(ctx, o));
  return { gpu: profiler.entries.reduce((s, e) => s + e.ms, 0), wall, source: profiler.useTimestamps ? 'timestamp' : 'wall-clock' };
}

/** Milliseconds of one run of `v`, from batches long enough for the timestamps' quantum (timing.ts). */
const measure = (ctx: GpuContext, p: Problem, v: KernelVariant<never, never>, reps: number) => resolvedTime((n) => timeBatch(ctx, p, v, n), reps, MIN_MEASURED_MS, MAX_REPS);

function row(p: Problem, variant: string, ms: number | null, source: TuneSource): TuneRow {
  const timed = ms !== null && ms > 0;
  return {
    op: p.op,
    shape: p.shape,
    key: p.key,
    label: p.label,
    variant,
    ms,
    gflops: timed ? p.flops / (ms * 1e6) : null,
    gbps: timed ? p.bytes / (ms * 1e6) : null,
    chosen: false,
    source,
  };
}

/** The fastest matmul the report timed (attention and loss rows aside): what prefill and training GFLOP/s are compared with. */
export function fastestMatmul(report: TuneReport): TuneRow | null {
  return report.rows.filter((r) => r.op.startsWith('matmul') && r.gflops !== null).reduce<TuneRow | null>((b, r) => (b === null || r.gflops! > b.gflops! ? r : b), null);
}

/** Marks the chosen row: the fastest timed variant if 5% faster than the default, else the default. */
export function choose(rows: TuneRow[], defaultVariant: string): string {
  const timed = rows.filter((r) => r.ms !== null);
  const def = timed.find((r) => r.variant === defaultVariant);
  const best = timed.reduce<TuneRow | null>((b, r) => (b === null || r.ms! < b.ms! ? r : b), null);
  const pick = best && (!def || best.ms! < def.ms! * (1 - MIN_GAIN)) ? best.variant : defaultVariant;
  for (const r of rows) r.chosen = r.variant === pick;
  return pick;
}

/**
 * Tunes `shapes` on `ctx`'s adapter (or takes the cached choices), installs the choices, and returns
 * the table. With mode 'off' nothing is timed and every op dispatches its default.
 */
export async function tuneKernels(ctx: GpuContext, shapes: TuneShape[], opts: TuneOptions = {}): Promise<TuneReport> {
  const key = adapterKey(ctx.report);
  const mode = opts.mode ?? 'on';
  const problems = shapes.filter((s) => fits(ctx, s)).map((s) => problem(ctx, s));
  try {
    // One problem per choice key (e.g. q and o share [C, C]); labels joined.
    const byKey = new Map<string, Problem>();
    for (const p of problems) {
      const seen = byKey.get(p.key);
      if (seen) seen.label = seen.label.split(', ').includes(p.label) ? seen.label : `${seen.label}, ${p.label}`;
      else byKey.set(p.key, p);
    }
    const unique = [...byKey.values()].sort((a, b) => a.flops - b.flops);
    const defaultOf = (p: Problem) => (p.table as OpTable<unknown, unknown>).defaultFor(p.dims);

    if (mode === 'off') {
      clearTunedChoices(ctx.report);
      const rows = unique.map((p) => ({ ...row(p, defaultOf(p), null, 'default'), chosen: true }));
      return { adapterKey: key, mode, fromCache: false, spentMs: 0, timingBatches: 0, rows };
    }

    const signature = tunerSignature();
    const cached = await opts.cache?.get(key).catch(() => null);
    const stored: CachedTuning = cached && cached.signature === signature ? cached : { signature, shapes: {} };
    const budget = opts.budgetMs ?? 2000;
    const batchMs = opts.batchMs ?? 4;
    const t0 = performance.now();
    let timingBatches = 0;
    // Cached classes first; then every default (cheapest shape first), so each class gets a baseline;
    // then variant by variant across the classes, so each variant's pipeline compiles once.
    const todo = unique.filter((p) => !stored.shapes[p.key]);
    const own = new Map(todo.map((p) => [p, [] as TuneRow[]]));
    const defaultMs = new Map<Problem, number>();
    const runs = todo.flatMap((p) => {
      const variants = applicableVariants(ctx, p.table as OpTable<unknown, unknown>, p.dims) as KernelVariant<never, never>[];
      return variants.map((v, order) => ({ p, v, order, isDefault: v.name === defaultOf(p) }));
    });
    runs.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.order - b.order || a.p.flops - b.p.flops);
    let done = 0;
    for (const { p, v, isDefault } of runs) {
      opts.onProgress?.(done++, runs.length, `${p.op} ${p.shape} ${v.name}`);
      const left = budget - (performance.now() - t0);
      const base = defaultMs.get(p);
      if (left <= 0 || (!isDefault && (base === undefined || SLOWEST_EXPECTED * base > left))) {
        own.get(p)!.push(row(p, v.name, null, 'skipped'));
        continue;
      }
      const pipelines = ctx.pipelines.size;
      const warm = await measure(ctx, p, v, 1); // compiles the pipeline, touches memory
      const compiled = ctx.pipelines.size !== pipelines;
      const reps = Math.max(1, Math.min(20, Math.round(batchMs / Math.max(base ?? warm.ms, 0.001))));
      // A run too long for two more batches in the budget counts once (when no compile was in it).
      const timed = [compiled ? null : warm];
      timingBatches += 1;
      while (timed.length < 3 && (timed[0] === null || budget - (performance.now() - t0) > 2 * reps * warm.ms)) {
        timed.push(await measure(ctx, p, v, reps));
        timingBatches += 1;
      }
      const ok = timed.filter((t) => t !== null);
      const a = ok[0];
      const ms = Math.min(...ok.map((t) => t.ms));
      if (isDefault) defaultMs.set(p, ms);
      own.get(p)!.push(row(p, v.name, ms, a.source));
    }
    const rows: TuneRow[] = [];
    for (const p of unique) {
      const hit = stored.shapes[p.key];
      if (hit && !own.has(p)) {
        rows.push(...hit.map((r) => ({ ...r, label: p.label, source: 'cache' as const })));
        continue;
      }
      const mine = own.get(p)!;
      const order = applicableVariants(ctx, p.table as OpTable<unknown, unknown>, p.dims).map((v) => v.name);
      mine.sort((x, y) => order.indexOf(x.variant) - order.indexOf(y.variant));
      choose(mine, defaultOf(p));
      // A class whose default could not be timed within the budget is not remembered: a later load tries again.
      if (defaultMs.has(p)) stored.shapes[p.key] = mine;
      rows.push(...mine);
    }
    opts.onProgress?.(done, runs.length, 'done');
    const choices: [string, string][] = Object.entries(stored.shapes).flatMap(([k, rs]) => rs.filter((r) => r.chosen).map((r) => [k, r.variant] as [string, string]));
    setTunedChoices(ctx.report, choices);
    if (timingBatches > 0) await opts.cache?.put(key, stored).catch(() => undefined);
    return { adapterKey: key, mode, fromCache: rows.every((r) => r.source === 'cache'), spentMs: timingBatches > 0 ? performance.now() - t0 : 0, timingBatches, rows };
  } finally {
    problems.forEach((p) => p.release(ctx));
  }
}
