// Running our exported decoder in onnxruntime-web: the parity oracle in tests (WASM EP in Node,
// WebGPU EP in Chromium) and the peer in benchmarks.

import * as ort from 'onnxruntime-web';

export type OrtProvider = 'wasm' | 'webgpu';

// Its per-session "nodes not assigned to the preferred EP" warning is expected (shape ops on CPU).
ort.env.logLevel = 'error';

export function createOrtSession(model: Uint8Array, provider: OrtProvider = 'wasm', externalData?: { path: string; data: Uint8Array }[]): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, { executionProviders: [provider], ...(externalData ? { externalData } : {}) });
}

/** Whether the session runs a `{ kvCache: true }` export (past_key_values.* inputs, present.* outputs). */
export function hasKvCache(session: ort.InferenceSession): boolean {
  return session.inputNames.includes('past_key_values.0.key');
}

/** The cache of a `{ kvCache: true }` session: each layer's keys and values [B, Hkv, length, D], as its last call returned them. */
export interface OnnxKvCache {
  length: number;
  tensors: Record<string, ort.Tensor>;
}

/** An empty cache (length 0) for B sequences; Hkv and D come from the session's input shapes. */
export function emptyOnnxCache(session: ort.InferenceSession, B: number): OnnxKvCache {
  const tensors: Record<string, ort.Tensor> = {};
  for (const m of session.inputMetadata) {
    if (!m.name.startsWith('past_key_values.')) continue;
    const [, Hkv, , D] = m.isTensor ? m.shape : [];
    if (typeof Hkv !== 'number' || typeof D !== 'number') throw new Error(`emptyOnnxCache: input ${m.name} has no fixed [batch, Hkv, past_seq, D] shape`);
    tensors[m.name] = new ort.Tensor('float32', new Float32Array(0), [B, Hkv, 0, D]);
  }
  return { length: 0, tensors };
}

const i64 = (values: ArrayLike<number>, dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(Array.from(values), BigInt), dims);

/**
 * One call of a `{ kvCache: true }` session: B sequences of equal length T appended after `cache`
 * (positions cache.length .. cache.length+T-1, no padding). Returns the outputs for the new tokens
 * as f32 [B, T, ...] and the grown cache (the call's present.* tensors, to pass to the next call).
 */
export async function runDecoderOnnxCached(session: ort.InferenceSession, cache: OnnxKvCache, seqs: number[][]): Promise<{ out: Record<string, Float32Array>; cache: OnnxKvCache }> {
  const B = seqs.length;
  const T = seqs[0].length;
  if (seqs.some((s) => s.length !== T)) throw new Error('runDecoderOnnxCached: sequences of one call must have the same length');
  const S = cache.length + T;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: i64(seqs.flat(), [B, T]),
    attention_mask: i64(new Array(B * S).fill(1), [B, S]),
    position_ids: i64(Array.from({ length: B * T }, (_, i) => cache.length + (i % T)), [B, T]),
  };
  for (const [name, t] of Object.entries(cache.tensors)) feeds[name] = t;
  const res = await session.run(feeds);
  const out: Record<string, Float32Array> = {};
  const tensors: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(res)) {
    if (name.startsWith('present.')) tensors[name.replace(/^present\./, 'past_key_values.')] = t;
    else out[name] = t.data as Float32Array;
  }
  return { out, cache: { length: S, tensors } };
}

/**
 * Runs right-padded sequences (pad id 0, mask 0) through the decoder; returns every output as f32
 * [B, T, ...]. A `{ kvCache: true }` session gets an empty cache and positions 0..T-1, so both
 * exports compute the same full forward.
 */
export async function runDecoderOnnx(session: ort.InferenceSession, seqs: number[][]): Promise<Record<string, Float32Array>> {
  const B = seqs.length;
  const T = Math.max(...seqs.map((s) => s.length));
  const ids = new BigInt64Array(B * T);
  const mask = new BigInt64Array(B * T);
  seqs.forEach((s, b) =>
    s.forEach((id, t) => {
      ids[b * T + t] = BigInt(id);
      mask[b * T + t] = 1n;
    }),
  );
  const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, [B, T]), attention_mask: new ort.Tensor('int64', mask, [B, T]) };
  if (hasKvCache(session)) Object.assign(feeds, { position_ids: i64(Array.from({ length: B * T }, (_, i) => i % T), [B, T]) }, emptyOnnxCache(session, B).tensors);
  const out = await session.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

const argmax = (row: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
};

/**
 * Greedy continuation. A `{ kvCache: true }` session prefills the prompt and then runs one token per
 * call against its cache (unless `cache: false`); otherwise every token is a full forward over the
 * sequence so far.
 */
export async function greedyOnnx(session: ort.InferenceSession, prompt: number[], steps: number, V: number, opts: { cache?: boolean } = {}): Promise<number[]> {
  const out: number[] = [];
  if (opts.cache ?? hasKvCache(session)) {
    let cache = emptyOnnxCache(session, 1);
    let next = prompt;
    for (let s = 0; s < steps; s++) {
      const r = await runDecoderOnnxCached(session, cache, [next]);
      cache = r.cache;
      const best = argmax(r.out.logits.subarray((next.length - 1) * V, next.length * V));
      out.push(best);
      next = [best];
    }
    return out;
  }
  const seq = [...prompt];
  for (let s = 0; s < steps; s++) {
    const logits = (await runDecoderOnnx(session, [seq])).logits;
    const best = argmax(logits.subarray((seq.length - 1) * V, seq.length * V));
    out.push(best);
    seq.push(best);
  }
  return out;
}
