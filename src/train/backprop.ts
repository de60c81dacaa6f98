// Forward with a tape and backward of the decoder on the GPU, for training: gradients of every
// weight (full fine-tuning, f32 base) or of LoRA adapters on chosen linears (base frozen, may stay
// q4/q8: input gradients go through the packed weights). Semantics are reference/decoder-backward.ts.
// Shapes: B sequences padded to T, N = B*T rows; C hidden, H/Hkv heads, D head dim, F MLP, V vocab.
// Each block's forward sits above its backward; the forward's tape lists what the backward reads.

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { attention, attentionBackward, createKvCache, storeKv, type KvCache } from '../kernels/attention';
import { accumulate, add, mul, siluMul, siluMulBackward } from '../kernels/elementwise';
import { embeddingBackward } from '../kernels/embedding';
import { matmul } from '../kernels/matmul';
import { matmulQ, matmulQBackward } from '../kernels/matmul-q';
import { rmsNorm, rmsNormBackward } from '../kernels/rmsnorm';
import { rope } from '../kernels/rope';
import { releaseTensor, reshape, uploadTensor, uploadU32, type GpuTensor } from '../kernels/tensor';
import { vocabCrossEntropy, vocabGather, type VocabShard } from '../kernels/vocab';
import { addAdapter, ropeNormed, type GpuDecoder, type GpuLinear, type LinearAdapter } from '../model/decoder';
import { linearsByName } from '../model/decoder-weights';
import { layerPrefix, linearWeightName } from '../model/weights';

/** y = x·Wᵀ + (alpha/r)·(x·Aᵀ)·Bᵀ; A [r, in] Kaiming-uniform, B [out, r] zero at the start. */
export type LoraAdapter = LinearAdapter;

export interface Trainable {
  model: GpuDecoder;
  mode: 'full' | 'lora';
  /** Adapters by the name of the linear weight they sit on. */
  lora: Map<string, LoraAdapter>;
  /** Trainable tensors by name (HF names; adapters as `${weight}.lora_A` / `.lora_B`). */
  params: Map<string, GpuTensor>;
}

export interface StepBatch {
  B: number;
  T: number;
  /** [B*T] token ids, right-padded. */
  ids: Uint32Array;
  /** [B*T] next-token targets. */
  targets: Uint32Array;
  /** [B*T] d loss / d ce per token: loss masks already normalised and weighted by λ. */
  gradWeight: Float32Array;
  lengths: number[];
}

interface Ctx {
  ctx: GpuContext;
  batch: Batch;
  tr: Trainable;
  grads: Map<string, GpuTensor>;
  linears: Map<string, GpuLinear>;
  full: boolean;
  ones: GpuTensor; // [1, N], for bias gradients (column sums)
}

// ---- linear ----------------------------------------------------------------------------------

interface LinearTape {
  x: GpuTensor;
  /** (alpha/r)·x·Aᵀ [N, r], when the linear carries an adapter. */
  ts: GpuTensor | null;
}

async function linearForward(c: Ctx, x: GpuTensor, name: string, bias: GpuTensor | undefined, label: string): Promise<{ y: GpuTensor; tape: LinearTape }> {
  const { ctx, batch } = c;
  const W = c.linears.get(name)!;
  let y = 'shape' in W ? await matmul(ctx, batch, x, W, { transB: true, name: label }) : await matmulQ(ctx, batch, x, W, { name: label, variant: 'tiled' });
  if (bias) {
    const yb = await add(ctx, batch, y, bias, label);
    releaseTensor(ctx, y);
    y = yb;
  }
  const lora = c.tr.lora.get(name);
  let ts: GpuTensor | null = null;
  if (lora) ts = await addAdapter(ctx, batch, x, lora, y, label);
  return { y, tape: { x, ts } };
}

/** Returns dx [N, in]; accumulates dW (full), db (full, with bias), dA and dB (adapter). */
async function linearBackward(c: Ctx, tape: LinearTape, name: string, dy: GpuTensor, biasName: string | null, label: string): Promise<GpuTensor> {
  const { ctx, batch } = c;
  const W = c.linears.get(name)!;
  const dx = 'shape' in W ? await matmul(ctx, batch, dy, W, { name: `d_${label}` }) : await matmulQBackward(ctx, batch, dy, W, `d_${label}`);
  if (c.full) {
    await matmul(ctx, batch, dy, tape.x, { transA: true, into: c.grads.get(name)! });
    if (biasName) await matmul(ctx, batch, c.ones, dy, { into: reshape(c.grads.get(biasName)!, [1, dy.shape[1]]) });
  }
  const lora = c.tr.lora.get(name);
  if (lora && tape.ts) {
    await matmul(ctx, batch, dy, tape.ts, { transA: true, into: c.grads.get(`${name}.lora_B`)! });
    const dts = await matmul(ctx, batch, dy, lora.B, { name: `d_${label}.lora_ts` });
    const dt = await mul(ctx, batch, dts, lora.scale, `d_${label}.lora_t`);
    releaseTensor(ctx, dts);
    await matmul(ctx, batch, dt, tape.x, { transA: true, into: c.grads.get(`${name}.lora_A`)! });
    await matmul(ctx, batch, dt, lora.A, { into: dx });
    releaseTensor(ctx, dt);
  }
  if (tape.ts) releaseTensor(ctx, tape.ts);
  return dx;
}

async function rmsNormGrad(c: Ctx, x: GpuTensor, w: GpuTensor, dy: GpuTensor, label: string): Promise<GpuTensor> {
  const { dx, dw } = await rmsNormBackward(c.ctx, c.batch, x, w, dy, c.tr.model.config.rmsNormEps, label);
  if (c.full) await accumulate(c.ctx, c.batch, c.grads.get(w.name)!, dw);
  releaseTensor(c.ctx, dw);
  return dx;
}

// ---- attention block ---------------------------------------------------------------------------

interface AttentionTape {
  x: GpuTensor;
  a: GpuTensor;
  /** Qwen3: the q [N, H, D] and k [N, Hkv, D] projections before their per-head norm (its backward's input). */
  qkPre: { q: GpuTensor; k: GpuTensor } | null;
  q: GpuTensor;
  cache: KvCache;
  att: GpuTensor;
  lin: Record<'q' | 'k' | 'v' | 'o', LinearTape>;
}

async function attentionForward(c: Ctx, l: number, x: GpuTensor, seq: GpuTensor, positions: GpuTensor, B: number, T: number): Promise<{ x1: GpuTensor; tape: AttentionTape }> {
  const { ctx, batch } = c;
  const m = c.tr.model;
  const { numHeads: H, numKvHeads: Hkv, headDim: D } = m.config;
  const L = m.layers[l];
  const N = B * T;
  const n = `layer${l}`;
  const a = await rmsNorm(ctx, batch, x, L.inputNorm, m.config.rmsNormEps, `${n}.attn.norm`);
  const q0 = await linearForward(c, a, linearWeightName(l, 'q'), L.biases.q, `${n}.attn.q`);
  const k0 = await linearForward(c, a, linearWeightName(l, 'k'), L.biases.k, `${n}.attn.k`);
  const v = await linearForward(c, a, linearWeightName(l, 'v'), L.biases.v, `${n}.attn.v`);
  const qkPre = L.qkNorm ? { q: reshape(q0.y, [N, H, D]), k: reshape(k0.y, [N, Hkv, D]) } : null;
  const q = await ropeNormed(ctx, batch, reshape(q0.y, [N, H, D]), L.qkNorm?.q, m.config.rmsNormEps, positions, m.rope, `${n}.attn.q`);
  const k = await ropeNormed(ctx, batch, reshape(k0.y, [N, Hkv, D]), L.qkNorm?.k, m.config.rmsNormEps, positions, m.rope, `${n}.attn.k`);
  if (!qkPre) {
    releaseTensor(ctx, q0.y);
    releaseTensor(ctx, k0.y);
  }
  const cache = createKvCache(ctx, B, T, Hkv, D, `${n}.kv`);
  await storeKv(ctx, batch, seq, reshape(k, [B, T, Hkv, D]), reshape(v.y, [B, T, Hkv, D]), cache, H);
  releaseTensor(ctx, k);
  releaseTensor(ctx, v.y);
  const att = await attention(ctx, batch, seq, reshape(q, [B, T, H, D]), cache, `${n}.attn.out`);
  const o = await linearForward(c, reshape(att, [N, H * D]), linearWeightName(l, 'o'), undefined, `${n}.attn.o`);
  const x1 = await add(ctx, batch, x, o.y, `${n}.attn.resid`);
  releaseTensor(ctx, o.y);
  return { x1, tape: { x, a, qkPre, q, cache, att, lin: { q: q0.tape, k: k0.tape, v: v.tape, o: o.tape } } };
}

/** dx1 -> dx (the gradient into the block's input); releases the tape. */
async function attentionBackwardBlock(c: Ctx, l: number, t: AttentionTape, dx1: GpuTensor, seq: GpuTensor, positions: GpuTensor, B: number, T: number): Promise<GpuTensor> {
  const { ctx, batch } = c;
  const { numHeads: H, numKvHeads: Hkv, headDim: D } = c.tr.model.config;
  const L = c.tr.model.layers[l];
  const N = B * T;
  const n = `layer${l}`;
  const p = layerPrefix(l);
  const bias = (w: string) => (c.tr.model.config.attentionBias ? `${p}.self_attn.${w}_proj.bias` : null);
  const datt = await linearBackward(c, t.lin.o, linearWeightName(l, 'o'), dx1, null, `${n}.attn.o`);
  const g = await attentionBackward(ctx, batch, seq, reshape(t.q, [B, T, H, D]), t.cache, t.att, reshape(datt, [B, T, H, D]), `${n}.attn`);
  for (const x of [datt, t.att, t.q, t.cache.k, t.cache.v]) releaseTensor(ctx, x);
  let dq0 = await rope(ctx, batch, reshape(g.dq, [N, H, D]), positions, c.tr.model.rope, `d_${n}.attn.q_rope`, true);
  let dk0 = await rope(ctx, batch, reshape(g.dk, [N, Hkv, D]), positions, c.tr.model.rope, `d_${n}.attn.k_rope`, true);
  releaseTensor(ctx, g.dq);
  releaseTensor(ctx, g.dk);
  if (t.qkPre && L.qkNorm) {
    // Through Qwen3's per-head norms (rows of D), adding their weight gradients.
    const dq = await rmsNormGrad(c, t.qkPre.q, L.qkNorm.q, dq0, `${n}.attn.q_norm`);
    const dk = await rmsNormGrad(c, t.qkPre.k, L.qkNorm.k, dk0, `${n}.attn.k_norm`);
    for (const x of [dq0, dk0, t.qkPre.q, t.qkPre.k]) releaseTensor(ctx, x);
    [dq0, dk0] = [dq, dk];
  }
  const da = await linearBackward(c, t.lin.q, linearWeightName(l, 'q'), reshape(dq0, [N, H * D]), bias('q'), `${n}.attn.q`);
  for (const [w, dy] of [['k', dk0], ['v', g.dv]] as const) {
    const part = await linearBackward(c, t.lin[w], linearWeightName(l, w), reshape(dy, [N, Hkv * D]), bias(w), `${n}.attn.${w}`);
    await accumulate(ctx, batch, da, part);
    releaseTensor(ctx, part);
    releaseTensor(ctx, dy);
  }
  releaseTensor(ctx, dq0);
  const dx = await rmsNormGrad(c, t.x, L.inputNorm, da, `${n}.attn.norm`);
  releaseTensor(ctx, da);
  releaseTensor(ctx, t.a);
  await accumulate(ctx, batch, dx, dx1);
  return dx;
}

// ---- MLP block ---------------------------------------------------------------------------------

interface MlpTape {
  x1: GpuTensor;
  h: GpuTensor;
  g: GpuTensor;
  u: GpuTensor;
  gu: GpuTensor;
  lin: Record<'gate' | 'up' | 'down', LinearTape>;
}

async function mlpForward(c: Ctx, l: number, x1: GpuTensor): Promise<{ x2: GpuTensor; tape: MlpTape }> {
  const { ctx, batch } = c;
  const L = c.tr.model.layers[l];
  const n = `layer${l}`;
  const h = await rmsNorm(ctx, batch, x1, L.postNorm, c.tr.model.config.rmsNormEps, `${n}.mlp.norm`);
  const g = await linearForward(c, h, linearWeightName(l, 'gate'), undefined, `${n}.mlp.gate`);
  const u = await linearForward(c, h, linearWeightName(l, 'up'), undefined, `${n}.mlp.up`);
  const gu = await siluMul(ctx, batch, g.y, u.y, `${n}.mlp.act`);
  const d = await linearForward(c, gu, linearWeightName(l, 'down'), undefined, `${n}.mlp.down`);
  const x2 = await add(ctx, batch, x1, d.y, `${n}.resid`);
  releaseTensor(ctx, d.y);
  return { x2, tape: { x1, h, g: g.y, u: u.y, gu, lin: { gate: g.tape, up: u.tape, down: d.tape } } };
}

async function mlpBackward(c: Ctx, l: number, t: MlpTape, dx2: GpuTensor): Promise<GpuTensor> {
  const { ctx, batch } = c;
  const n = `layer${l}`;
  const dgu = await linearBackward(c, t.lin.down, linearWeightName(l, 'down'), dx2, null, `${n}.mlp.down`);
  const { dg, du } = await siluMulBackward(ctx, batch, t.g, t.u, dgu, `${n}.mlp.act`);
  for (const x of [dgu, t.g, t.u, t.gu]) releaseTensor(ctx, x);
  const dh = await linearBackward(c, t.lin.gate, linearWeightName(l, 'gate'), dg, null, `${n}.mlp.gate`);
  const dhu = await linearBackward(c, t.lin.up, linearWeightName(l, 'up'), du, null, `${n}.mlp.up`);
  await accumulate(ctx, batch, dh, dhu);
  for (const x of [dhu, dg, du]) releaseTensor(ctx, x);
  const dx1 = await rmsNormGrad(c, t.x1, c.tr.model.layers[l].postNorm, dh, `${n}.mlp.norm`);
  releaseTensor(ctx, dh);
  releaseTensor(ctx, t.h);
  await accumulate(ctx, batch, dx1, dx2);
  return dx1;
}

// ---- the whole step ----------------------------------------------------------------------------

interface LayerTape {
  att: AttentionTape;
  mlp: MlpTape;
}

/** Releases a layer's tape; `keepInput` keeps att.x, the layer's input (recomputation starts there). */
function releaseTape(ctx: GpuContext, { att, mlp }: LayerTape, keepInput = false): void {
  const lins = [...Object.values(att.lin), ...Object.values(mlp.lin)];
  for (const t of [keepInput ? null : att.x, att.a, att.qkPre?.q, att.qkPre?.k, att.q, att.cache.k, att.cache.v, att.att, mlp.x1, mlp.h, mlp.g, mlp.u, mlp.gu, ...lins.map((l) => l.ts)]) if (t) releaseTensor(ctx, t);
}

/** One layer's forward from its input x: returns its output and the tape its backward reads. */
async function layerForward(c: Ctx, l: number, x: GpuTensor, seq: GpuTensor, positions: GpuTensor, B: number, T: number): Promise<{ out: GpuTensor; tape: LayerTape }> {
  const a = await attentionForward(c, l, x, seq, positions, B, T);
  const f = await mlpForward(c, l, a.x1);
  return { out: f.x2, tape: { att: a.tape, mlp: f.tape } };
}

/**
 * Records forward, loss and backward of one micro-batch into `batch`; gradients are ADDED into
 * `grads` (zero them before the first micro-batch of a step). Returns ce [N], the unweighted
 * per-token cross-entropy, for loss reporting (Σ gradWeight·ce is the loss). With
 * `backward: false` it stops after the loss (evaluation; adapters still apply). With `recompute`,
 * the forward keeps only each layer's input and the backward recomputes the layer's tape just
 * before it needs it: activation memory of one layer instead of all, for one extra forward.
 */
export async function forwardBackward(
  ctx: GpuContext,
  batch: Batch,
  tr: Trainable,
  grads: Map<string, GpuTensor>,
  s: StepBatch,
  opts: { backward?: boolean; recompute?: boolean } = {},
): Promise<GpuTensor> {
  const m = tr.model;
  const { B, T } = s;
  const N = B * T;
  const C = m.config.hiddenSize;
  const c: Ctx = { ctx, batch, tr, grads, linears: linearsByName(m, false), full: tr.mode === 'full', ones: uploadTensor(ctx, new Float32Array(N).fill(1), [1, N], 'ones') };
  const seq = uploadU32(ctx, Uint32Array.from(s.lengths.flatMap((n) => [0, n])), [B, 2], 'seq');
  const positions = uploadU32(ctx, Uint32Array.from({ length: N }, (_, i) => i % T), [N], 'positions');
  const gradWeight = uploadTensor(ctx, s.gradWeight, [N], 'grad_weight');

  let x = await vocabGather(ctx, batch, s.ids, m.embed, 'embeddings');
  const tapes: LayerTape[] = [];
  const recompute = opts.recompute === true && opts.backward !== false;
  for (let l = 0; l < m.layers.length; l++) {
    const { out, tape } = await layerForward(c, l, x, seq, positions, B, T);
    if (recompute) releaseTape(ctx, tape, true);
    tapes.push(tape);
    x = out;
  }
  const final = await rmsNorm(ctx, batch, x, m.finalNorm, m.config.rmsNormEps, 'final_norm');
  // The head (tied: the embedding) shard by shard: the loss never holds [N, V] logits (decision 44).
  if (opts.backward === false) {
    const ce = await vocabCrossEntropy(ctx, batch, final, m.lmHead, s.targets);
    for (const t of tapes) releaseTape(ctx, t);
    for (const t of [final, x, c.ones, seq, positions, gradWeight]) releaseTensor(ctx, t);
    return ce;
  }
  const dfinal = uploadTensor(ctx, new Float32Array(N * C), [N, C], 'd_final_norm');
  const dW = c.full ? m.lmHead.shards.map((sh) => grads.get(vocabParamName(sh))!) : undefined;
  const ce = await vocabCrossEntropy(ctx, batch, final, m.lmHead, s.targets, { gradWeight, dx: dfinal, dW });
  let dx = await rmsNormGrad(c, x, m.finalNorm, dfinal, 'final_norm');
  releaseTensor(ctx, dfinal);
  releaseTensor(ctx, final);
  releaseTensor(ctx, x);
  for (let l = m.layers.length - 1; l >= 0; l--) {
    if (recompute) {
      const again = await layerForward(c, l, tapes[l].att.x, seq, positions, B, T);
      releaseTensor(ctx, again.out);
      tapes[l] = again.tape;
    }
    const dx1 = await mlpBackward(c, l, tapes[l].mlp, dx);
    releaseTensor(ctx, dx);
    releaseTensor(ctx, tapes[l].mlp.x1);
    dx = await attentionBackwardBlock(c, l, tapes[l].att, dx1, seq, positions, B, T);
    releaseTensor(ctx, dx1);
    releaseTensor(ctx, tapes[l].att.x);
  }
  if (c.full) await embeddingGrad(c, s.ids, reshape(dx, [N, C]));
  releaseTensor(ctx, dx);
  for (const t of [c.ones, seq, positions, gradWeight]) releaseTensor(ctx, t);
  return ce;
}

/** Full fine-tuning keeps the vocabulary in one f32 shard (createTrainable refuses more): its parameter name. */
function vocabParamName(shard: VocabShard): string {
  return (shard.w as GpuTensor).name;
}

/** dE += scatter of dx [N, C] by the token ids (full fine-tuning: one f32 shard). */
async function embeddingGrad(c: Ctx, ids: ArrayLike<number>, dx: GpuTensor): Promise<void> {
  await embeddingBackward(c.ctx, c.batch, ids, dx, c.grads.get(vocabParamName(c.tr.model.embed.shards[0]))!);
}

/**
 * Forward of the first `upTo` layers (hidden state index upTo; 0 = embeddings) keeping tapes, and a
 * backward that takes d hidden [N, C] and adds the gradients down to the embeddings. For objectives
 * on hidden states (contrastive alignment). Call `backward` in the same batch, exactly once.
 */
export async function hiddenForward(
  ctx: GpuContext,
  batch: Batch,
  tr: Trainable,
  grads: Map<string, GpuTensor>,
  s: { B: number; T: number; ids: Uint32Array; lengths: number[] },
  upTo: number,
): Promise<{ hidden: GpuTensor; backward(dHidden: GpuTensor): Promise<void> }> {
  const m = tr.model;
  const { B, T } = s;
  const N = B * T;
  const c: Ctx = { ctx, batch, tr, grads, linears: linearsByName(m, false), full: tr.mode === 'full', ones: uploadTensor(ctx, new Float32Array(N).fill(1), [1, N], 'ones') };
  const seq = uploadU32(ctx, Uint32Array.from(s.lengths.flatMap((n) => [0, n])), [B, 2], 'seq');
  const positions = uploadU32(ctx, Uint32Array.from({ length: N }, (_, i) => i % T), [N], 'positions');
  let x = await vocabGather(ctx, batch, s.ids, m.embed, 'embeddings');
  const tapes: LayerTape[] = [];
  for (let l = 0; l < upTo; l++) {
    const { out, tape } = await layerForward(c, l, x, seq, positions, B, T);
    tapes.push(tape);
    x = out;
  }
  return {
    hidden: x,
    async backward(dHidden) {
      let dx = dHidden;
      for (let l = upTo - 1; l >= 0; l--) {
        const dx1 = await mlpBackward(c, l, tapes[l].mlp, dx);
        if (dx !== dHidden) releaseTensor(ctx, dx);
        releaseTensor(ctx, tapes[l].mlp.x1);
        dx = await attentionBackwardBlock(c, l, tapes[l].att, dx1, seq, positions, B, T);
        releaseTensor(ctx, dx1);
        releaseTensor(ctx, tapes[l].att.x);
      }
      if (c.full) await embeddingGrad(c, s.ids, reshape(dx, [N, m.config.hiddenSize]));
      if (dx !== dHidden) releaseTensor(ctx, dx);
      releaseTensor(ctx, x); // the hidden state handed out (layer upTo's output, or the embeddings)
      for (const t of [c.ones, seq, positions]) releaseTensor(ctx, t);
    },
  };
}
