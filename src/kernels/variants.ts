// Kernel variants as tables (issue 16): each hot op keeps a table of designs that compute the same
// contract (same bindings of tensors, same result up to f32 summation order), each with a predicate
// saying where it applies (shape, device features, limits) and a dispatch function. The op asks
// `pickVariant` which one to record: an explicitly requested variant, else the autotuner's choice for
// this adapter and shape class (src/kernels/tuner.ts), else the table's default (decision 22's
// kernels). Tables live next to their ops (matmul.ts, matmul-q.ts); this file is the machinery.

import { ShapeError } from '../errors';
import type { AdapterReport } from '../gpu/adapter-report';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';

export interface KernelVariant<S, A> {
  name: string;
  /** Whether this design computes `shape` on this device (features, limits, shape class). */
  applies(shape: S, ctx: GpuContext): boolean;
  /** Records the variant's dispatches (one, or more with scratch buffers) into `batch`. */
  dispatch(ctx: GpuContext, batch: Batch, args: A): Promise<void>;
}

export interface OpTable<S, A> {
  /** The op's name in tuning keys and tables: 'matmul', 'matmul_q4', 'matmul_q8'. */
  op: string;
  variants: readonly KernelVariant<S, A>[];
  /** The variant used when nothing is tuned or tuning is off: always applicable. */
  defaultFor(shape: S): string;
  /** Shapes with the same key share one tuned choice (e.g. every prefill length of one weight). */
  key(shape: S): string;
}

/** The key of one op's shape class in the choice store and the tuning cache. */
export function choiceKey<S, A>(table: OpTable<S, A>, shape: S): string {
  return `${table.op}|${table.key(shape)}`;
}

// Choices of the autotuner, by adapter key (tuner.ts: vendor, architecture, device, description,
// browser, features): a fresh device on the same adapter after a loss keeps them.
const choices = new Map<string, Map<string, string>>();
const keys = new WeakMap<AdapterReport, string>();

/** Identifies the adapter, driver and browser whose speed the choices were measured on. */
export function adapterKey(report: AdapterReport): string {
  let k = keys.get(report);
  if (k === undefined) {
    const browser = typeof navigator !== 'undefined' && navigator.userAgent ? navigator.userAgent : `node ${typeof process !== 'undefined' ? process.versions?.node : '?'}`;
    k = [report.vendor, report.architecture, report.device, report.description, browser, report.enabledFeatures.join('+')].join(' | ');
    keys.set(report, k);
  }
  return k;
}

/** Installs tuned choices (choice key -> variant name) for an adapter, replacing earlier ones. */
export function setTunedChoices(report: AdapterReport, entries: Iterable<[string, string]>): void {
  choices.set(adapterKey(report), new Map(entries));
}

/** Forgets an adapter's tuned choices: every op dispatches its default (`?tune=off`). */
export function clearTunedChoices(report: AdapterReport): void {
  choices.delete(adapterKey(report));
}

export function tunedChoice(report: AdapterReport, key: string): string | undefined {
  return choices.get(adapterKey(report))?.get(key);
}

/**
 * The variant to record for `shape`: `requested` when given (it must exist and apply), else the tuned
 * choice for this adapter and shape class where it applies, else the default.
 */
export function pickVariant<S, A>(ctx: GpuContext, table: OpTable<S, A>, shape: S, requested?: string): KernelVariant<S, A> {
  const byName = (name: string) => table.variants.find((v) => v.name === name);
  if (requested !== undefined) {
    const v = byName(requested);
    if (!v || !v.applies(shape, ctx)) {
      throw new ShapeError(`${table.op}: variant "${requested}" ${v ? 'does not apply to' : 'does not exist for'} ${table.key(shape)} on this device (have: ${table.variants.map((x) => x.name).join(', ')}).`, {
        op: table.op,
        variant: requested,
        shape: table.key(shape),
      });
    }
    return v;
  }
  const tuned = tunedChoice(ctx.report, choiceKey(table, shape));
  const chosen = tuned !== undefined ? byName(tuned) : undefined;
  if (chosen && chosen.applies(shape, ctx)) return chosen;
  return byName(table.defaultFor(shape))!;
}

/** The variants of `table` that apply to `shape` on this device, default first. */
export function applicableVariants<S, A>(ctx: GpuContext, table: OpTable<S, A>, shape: S): KernelVariant<S, A>[] {
  const def = table.defaultFor(shape);
  const list = table.variants.filter((v) => v.applies(shape, ctx));
  return [...list.filter((v) => v.name === def), ...list.filter((v) => v.name !== def)];
}

/** Shape classes by rows: decoding (a few rows, GEMV-like) and prefill (many). */
export function rowClass(M: number, decodeMaxRows: number): string {
  return M <= decodeMaxRows ? `M<=${decodeMaxRows}` : `M>${decodeMaxRows}`;
}
