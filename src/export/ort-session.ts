// Running our exported decoder in onnxruntime-web: the parity oracle in tests (WASM EP in Node,
// WebGPU EP in Chromium) and the peer in benchmarks.

import * as ort from 'onnxruntime-web';

export type OrtProvider = 'wasm' | 'webgpu';

// Its per-session "nodes not assigned to the preferred EP" warning is expected (shape ops on CPU).
ort.env.logLevel = 'error';

export function createOrtSession(model: Uint8Array, provider: OrtProvider = 'wasm', externalData?: { path: string; data: Uint8Array }[]): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, { executionProviders: [provider], ...(externalData ? { externalData } : {}) });
}

/** Runs right-padded sequences (pad id 0, mask 0) through the decoder; returns every output as f32 [B, T, ...]. */
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
  const out = await session.run({ input_ids: new ort.Tensor('int64', ids, [B, T]), attention_mask: new ort.Tensor('int64', mask, [B, T]) });
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

/** Greedy continuation by full recomputation (the exported graph has no KV cache). */
export async function greedyOnnx(session: ort.InferenceSession, prompt: number[], steps: number, V: number): Promise<number[]> {
  const seq = [...prompt];
  const out: number[] = [];
  for (let s = 0; s < steps; s++) {
    const logits = (await runDecoderOnnx(session, [seq])).logits;
    const row = logits.subarray((seq.length - 1) * V, seq.length * V);
    let best = 0;
    for (let i = 1; i < V; i++) if (row[i] > row[best]) best = i;
    out.push(best);
    seq.push(best);
  }
  return out;
}
