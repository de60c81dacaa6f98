// Forward with a tape and backward of the decoder on the CPU route, for training: the twin of
// src/train/backprop.ts (same blocks, same tapes, same semantics: reference/decoder-backward.ts).
// Matmuls (f32, and dX = dY·W through packed q4/q8 weights) and attention with its backward are the
// WebAssembly kernels on every thread; norms, RoPE, SwiGLU, the loss and the embedding scatter-add are
// ops-backward.ts in TypeScript. Weight gradients dW = dYᵀ·X are added by gemm into the gradient buffer.
// Shapes: B sequences padded to T, N = B*T rows; C hidden, H/Hkv heads, D head dim, F MLP, V vocab.
// The KV cache of a training forward is its own k, v [B, T, Hkv, D] (no past): no copy is made.
// Each block's forward sits above its backward; the forward's tape lists what the backward reads.

import { linearsByName } from '../model/decoder-weights';
import { layerPrefix, linearWeightName } from '../model/weights';
import type { StepBatch } from '../train/backprop';
import { attention, attentionBackward, type CpuKvCache } from './attention';
import { addAdapter } from './decoder';
import { matmul, matmulQ, matmulQBackward } from './matmul';
import { add, addRowsInPlace, embedding, rmsNorm, ropeInPlace, siluMul } from './ops';
import { addInPlace, columnSumsInto, crossEntropy, embeddingBackward, rmsNormBackward, ropeBackwardInPlace, scaleInPlace, siluMulBackward } from './ops-backward';
import type { CpuQWeight, CpuRuntime, CpuTensor } from './runtime';
import type { CpuTrainable } from './trainable';

interface Ctx {
  rt: CpuRuntime;
  tr: CpuTrainable;
  grads: Map<string, CpuTensor>;
  linears: Map<string, CpuTensor | CpuQWeight>;
  full: boolean;
  B: number;
  T: number;
  /** [B, 2] u32 { past 0, qLen } per sequence. */
  seq: CpuTensor;
  /** [N] position of each row (t). */
  positions: Uint32Array;
}

function reshape(t: CpuTensor, shape: number[]): CpuTensor {
  return { ...t, shape };
}

function free(rt: CpuRuntime, ...ts: (CpuTensor | null)[]): void {
  for (const t of ts) if (t) rt.release(t);
}

function context(rt: CpuRuntime, tr: CpuTrainable, grads: Map<string, CpuTensor>, B: number, T: number, lengths: readonly number[]): Ctx {
  const seq = rt.uploadU32(lengths.flatMap((n) => [0, n]), [B, 2], 'seq');
  const positions = Uint32Array.from({ length: B * T }, (_, i) => i % T);
  return { rt, tr, grads, linears: linearsByName(tr.model, true), full: tr.mode === 'full', B, T, seq, positions };
}

// ---- linear ----------------------------------------------------------------------------------

interface LinearTape {
  x: CpuTensor;
  /** (alpha/r)·x·Aᵀ [N, r], when the linear carries an adapter. */
  ts: CpuTensor | null;
}

function linearForward(c: Ctx, x: CpuTensor, name: string, bias: CpuTensor | undefined, label: string): { y: CpuTensor; tape: LinearTape } {
  const { rt } = c;
  const W = c.linears.get(name)!;
  const y = 'kind' in W ? matmulQ(rt, x, W, { name: label }) : matmul(rt, x, W, { transB: true, name: label });
  if (bias) addRowsInPlace(rt, y, bias);
  const lora = c.tr.lora.get(name);
  return { y, tape: { x, ts: lora ? addAdapter(rt, x, lora, y, label) : null } };
}

/** Returns dx [N, in]; adds dW = dyᵀ·x (full), db (full, with bias), dA and dB (adapter). */
function linearBackward(c: Ctx, tape: LinearTape, name: string, dy: CpuTensor, biasName: string | null, label: string): CpuTensor {
  const { rt } = c;
  const W = c.linears.get(name)!;
  const dx = 'kind' in W ? matmulQBackward(rt, dy, W, `d_${label}`) : matmul(rt, dy, W, { name: `d_${label}` });
  if (c.full) {
    matmul(rt, dy, tape.x, { transA: true, into: c.grads.get(name)! });
    if (biasName) columnSumsInto(rt, dy, c.grads.get(biasName)!);
  }
  const lora = c.tr.lora.get(name);
  if (lora && tape.ts) {
    matmul(rt, dy, tape.ts, { transA: true, into: c.grads.get(`${name}.lora_B`)! });
    const dt = matmul(rt, dy, lora.B, { name: `d_${label}.lora_t` }); // [N, r]
    scaleInPlace(rt, dt, lora.scale);
    matmul(rt, dt, tape.x, { transA: true, into: c.grads.get(`${name}.lora_A`)! });
    matmul(rt, dt, lora.A, { into: dx });
    rt.release(dt);
  }
  free(rt, tape.ts);
  return dx;
}

function rmsNormGrad(c: Ctx, x: CpuTensor, w: CpuTensor, dy: CpuTensor, label: string): CpuTensor {
  return rmsNormBackward(c.rt, x, w, dy, c.tr.model.config.rmsNormEps, c.full ? c.grads.get(w.name)! : null, `d_${label}`);
}

// ---- attention block ---------------------------------------------------------------------------

interface AttentionTape {
  /** Block input x and its norm a [N, C]. */
  x: CpuTensor;
  a: CpuTensor;
  /** Qwen3: the q [N, H·D] and k [N, Hkv·D] projections before their per-head norm (its backward's input). */
  qkPre: { q: CpuTensor; k: CpuTensor } | null;
  /** Roped q [N, H·D]; the cache is roped k and v [B, T, Hkv, D]; att the attention output [N, H·D]. */
  q: CpuTensor;
  cache: CpuKvCache;
  att: CpuTensor;
  lin: Record<'q' | 'k' | 'v' | 'o', LinearTape>;
}

function attentionForward(c: Ctx, l: number, x: CpuTensor): { x1: CpuTensor; tape: AttentionTape } {
  const { rt, B, T } = c;
  const m = c.tr.model;
  const { numHeads: H, numKvHeads: Hkv, headDim: D } = m.config;
  const L = m.layers[l];
  const N = B * T;
  const n = `layer${l}`;
  const a = rmsNorm(rt, x, L.inputNorm, m.config.rmsNormEps, `${n}.attn.norm`);
  const q0 = linearForward(c, a, linearWeightName(l, 'q'), L.biases.q, `${n}.attn.q`);
  const k0 = linearForward(c, a, linearWeightName(l, 'k'), L.biases.k, `${n}.attn.k`);
  const v = linearForward(c, a, linearWeightName(l, 'v'), L.biases.v, `${n}.attn.v`);
  // Qwen3: the per-head norms make new tensors and the projections stay on the tape; otherwise q, k are roped in place.
  const qkPre = L.qkNorm ? { q: q0.y, k: k0.y } : null;
  const q = L.qkNorm ? rmsNorm(rt, reshape(q0.y, [N, H, D]), L.qkNorm.q, m.config.rmsNormEps, `${n}.attn.q_norm`) : q0.y;
  const k = L.qkNorm ? rmsNorm(rt, reshape(k0.y, [N, Hkv, D]), L.qkNorm.k, m.config.rmsNormEps, `${n}.attn.k_norm`) : k0.y;
  ropeInPlace(rt, reshape(q, [N, H, D]), c.positions, m.rope);
  ropeInPlace(rt, reshape(k, [N, Hkv, D]), c.positions, m.rope);
  const cache = { k: reshape(k, [B, T, Hkv, D]), v: reshape(v.y, [B, T, Hkv, D]) };
  const att = attention(rt, c.seq, reshape(q, [B, T, H, D]), cache, `${n}.attn.out`);
  const o = linearForward(c, reshape(att, [N, H * D]), linearWeightName(l, 'o'), undefined, `${n}.attn.o`);
  const x1 = add(rt, x, o.y, `${n}.attn.resid`);
  rt.release(o.y);
  return { x1, tape: { x, a, qkPre, q: reshape(q, [N, H * D]), cache, att, lin: { q: q0.tape, k: k0.tape, v: v.tape, o: o.tape } } };
}

/** dx1 -> dx (the gradient into the block's input, residual included); releases the tape but its input x. */
function attentionBackwardBlock(c: Ctx, l: number, t: AttentionTape, dx1: CpuTensor): CpuTensor {
  const { rt, B, T } = c;
  const m = c.tr.model;
  const { numHeads: H, numKvHeads: Hkv, headDim: D } = m.config;
  const N = B * T;
  const n = `layer${l}`;
  const bias = (w: string) => (m.config.attentionBias ? `${layerPrefix(l)}.self_attn.${w}_proj.bias` : null);
  const datt = linearBackward(c, t.lin.o, linearWeightName(l, 'o'), dx1, null, `${n}.attn.o`);
  const g = attentionBackward(rt, c.seq, reshape(t.q, [B, T, H, D]), t.cache, t.att, reshape(datt, [B, T, H, D]), `${n}.attn`);
  free(rt, datt, t.att, t.q, t.cache.k, t.cache.v);
  ropeBackwardInPlace(rt, reshape(g.dq, [N, H, D]), c.positions, m.rope);
  ropeBackwardInPlace(rt, reshape(g.dk, [N, Hkv, D]), c.positions, m.rope);
  let [dq, dk] = [g.dq, g.dk];
  const qkNorm = m.layers[l].qkNorm;
  if (t.qkPre && qkNorm) {
    // Through Qwen3's per-head norms (rows of D), adding their weight gradients.
    dq = rmsNormGrad(c, t.qkPre.q, qkNorm.q, g.dq, `${n}.attn.q_norm`);
    dk = rmsNormGrad(c, t.qkPre.k, qkNorm.k, g.dk, `${n}.attn.k_norm`);
    free(rt, g.dq, g.dk, t.qkPre.q, t.qkPre.k);
  }
  const da = linearBackward(c, t.lin.q, linearWeightName(l, 'q'), reshape(dq, [N, H * D]), bias('q'), `${n}.attn.q`);
  for (const [w, dy] of [['k', dk], ['v', g.dv]] as const) {
    const part = linearBackward(c, t.lin[w], linearWeightName(l, w), reshape(dy, [N, Hkv * D]), bias(w), `${n}.attn.${w}`);
    addInPlace(rt, da, part);
    free(rt, part, dy);
  }
  rt.release(dq);
  const dx = rmsNormGrad(c, t.x, m.layers[l].inputNorm, da, `${n}.attn.norm`);
  free(rt, da, t.a);
  addInPlace(rt, dx, dx1);
  return dx;
}

// ---- MLP block ---------------------------------------------------------------------------------

interface MlpTape {
  /** Block input x1 and its norm h [N, C]; gate g, up u and silu(g)·u [N, F]. */
  x1: CpuTensor;
  h: CpuTensor;
  g: CpuTensor;
  u: CpuTensor;
  gu: CpuTensor;
  lin: Record<'gate' | 'up' | 'down', LinearTape>;
}

function mlpForward(c: Ctx, l: number, x1: CpuTensor): { x2: CpuTensor; tape: MlpTape } {
  const { rt } = c;
  const L = c.tr.model.layers[l];
  const n = `layer${l}`;
  const h = rmsNorm(rt, x1, L.postNorm, c.tr.model.config.rmsNormEps, `${n}.mlp.norm`);
  const g = linearForward(c, h, linearWeightName(l, 'gate'), undefined, `${n}.mlp.gate`);
  const u = linearForward(c, h, linearWeightName(l, 'up'), undefined, `${n}.mlp.up`);
  const gu = siluMul(rt, g.y, u.y, `${n}.mlp.act`);
  const d = linearForward(c, gu, linearWeightName(l, 'down'), undefined, `${n}.mlp.down`);
  const x2 = add(rt, x1, d.y, `${n}.resid`);
  rt.release(d.y);
  return { x2, tape: { x1, h, g: g.y, u: u.y, gu, lin: { gate: g.tape, up: u.tape, down: d.tape } } };
}

function mlpBackward(c: Ctx, l: number, t: MlpTape, dx2: CpuTensor): CpuTensor {
  const { rt } = c;
  const n = `layer${l}`;
  const dgu = linearBackward(c, t.lin.down, linearWeightName(l, 'down'), dx2, null, `${n}.mlp.down`);
  const { dg, du } = siluMulBackward(rt, t.g, t.u, dgu, `${n}.mlp.act`);
  free(rt, dgu, t.g, t.u, t.gu);
  const dh = linearBackward(c, t.lin.gate, linearWeightName(l, 'gate'), dg, null, `${n}.mlp.gate`);
  const dhu = linearBackward(c, t.lin.up, linearWeightName(l, 'up'), du, null, `${n}.mlp.up`);
  addInPlace(rt, dh, dhu);
  free(rt, dhu, dg, du);
  const dx1 = rmsNormGrad(c, t.x1, c.tr.model.layers[l].postNorm, dh, `${n}.mlp.norm`);
  free(rt, dh, t.h);
  addInPlace(rt, dx1, dx2);
  return dx1;
}

// ---- layers ------------------------------------------------------------------------------------

interface LayerTape {
  att: AttentionTape;
  mlp: MlpTape;
}

/** Releases a layer's tape; `keepInput` keeps att.x, the layer's input (recomputation starts there). */
function releaseTape(rt: CpuRuntime, { att, mlp }: LayerTape, keepInput = false): void {
  const lins = [...Object.values(att.lin), ...Object.values(mlp.lin)];
  free(rt, keepInput ? null : att.x, att.a, att.qkPre?.q ?? null, att.qkPre?.k ?? null, att.q, att.cache.k, att.cache.v, att.att, mlp.x1, mlp.h, mlp.g, mlp.u, mlp.gu, ...lins.map((l) => l.ts));
}

function layerForward(c: Ctx, l: number, x: CpuTensor): { out: CpuTensor; tape: LayerTape } {
  const a = attentionForward(c, l, x);
  const f = mlpForward(c, l, a.x1);
  return { out: f.x2, tape: { att: a.tape, mlp: f.tape } };
}

/** dx of layer l's output -> dx of its input; releases the tape, the layer's input included. */
function layerBackward(c: Ctx, l: number, tape: LayerTape, dx: CpuTensor): CpuTensor {
  const dx1 = mlpBackward(c, l, tape.mlp, dx);
  c.rt.release(tape.mlp.x1);
  const dIn = attentionBackwardBlock(c, l, tape.att, dx1);
  free(c.rt, dx1, tape.att.x);
  return dIn;
}

// ---- the whole step ----------------------------------------------------------------------------

/**
 * Forward, loss and backward of one micro-batch; gradients are ADDED into `grads` (zero them before
 * the first micro-batch of a step). Returns CE [N], the unweighted per-token cross-entropy (Σ
 * gradWeight·CE is the loss). With `backward: false` it stops after the loss (evaluation; adapters
 * still apply). With `recompute`, the forward keeps only each layer's input and the backward
 * recomputes that layer's tape just before it needs it.
 */
export function cpuForwardBackward(rt: CpuRuntime, tr: CpuTrainable, grads: Map<string, CpuTensor>, s: StepBatch, opts: { backward?: boolean; recompute?: boolean } = {}): Float64Array {
  const m = tr.model;
  const { B, T } = s;
  const c = context(rt, tr, grads, B, T, s.lengths);
  const backward = opts.backward !== false;
  const recompute = opts.recompute === true && backward;
  let x = embedding(rt, s.ids, m.embed, 'embeddings');
  const tapes: LayerTape[] = [];
  for (let l = 0; l < m.layers.length; l++) {
    const { out, tape } = layerForward(c, l, x);
    if (recompute) releaseTape(rt, tape, true);
    tapes.push(tape);
    x = out;
  }
  const final = rmsNorm(rt, x, m.finalNorm, m.config.rmsNormEps, 'final_norm');
  // Tied: logits = final · Eᵀ with the f32 embedding; untied: the lm_head linear (maybe with an adapter).
  const head = m.config.tieWordEmbeddings ? null : linearForward(c, final, 'lm_head.weight', undefined, 'logits');
  const logits = head ? head.y : matmul(rt, final, m.embed, { transB: true, name: 'logits' });
  // From here on `logits` holds dlogits [N, V] (crossEntropy overwrites it).
  const ce = crossEntropy(rt, logits, s.targets, backward ? s.gradWeight : null);
  if (!backward) {
    for (const t of tapes) releaseTape(rt, t);
    free(rt, head?.tape.ts ?? null, logits, final, x, c.seq);
    return ce;
  }
  let dfinal: CpuTensor;
  if (m.config.tieWordEmbeddings) {
    dfinal = matmul(rt, logits, m.embed, { name: 'd_final_norm' });
    if (c.full) matmul(rt, logits, final, { transA: true, into: grads.get(m.embed.name)! });
  } else {
    dfinal = linearBackward(c, head!.tape, 'lm_head.weight', logits, null, 'logits');
  }
  let dx = rmsNormGrad(c, x, m.finalNorm, dfinal, 'final_norm');
  free(rt, logits, dfinal, final, x);
  for (let l = m.layers.length - 1; l >= 0; l--) {
    if (recompute) {
      const again = layerForward(c, l, tapes[l].att.x);
      rt.release(again.out);
      tapes[l] = again.tape;
    }
    const dIn = layerBackward(c, l, tapes[l], dx);
    rt.release(dx);
    dx = dIn;
  }
  if (c.full) embeddingBackward(rt, s.ids, dx, grads.get(m.embed.name)!);
  free(rt, dx, c.seq);
  return ce;
}

/**
 * Forward of the first `upTo` layers (hidden state index upTo; 0 = embeddings) keeping tapes, and a
 * backward that takes d hidden [N, C] and adds the gradients down to the embeddings. For objectives
 * on hidden states (contrastive alignment). Call `backward` exactly once; it releases `hidden`.
 */
export function cpuHiddenForward(rt: CpuRuntime, tr: CpuTrainable, grads: Map<string, CpuTensor>, s: { B: number; T: number; ids: Uint32Array; lengths: number[] }, upTo: number): { hidden: CpuTensor; backward(dHidden: CpuTensor): void } {
  const c = context(rt, tr, grads, s.B, s.T, s.lengths);
  let x = embedding(rt, s.ids, tr.model.embed, 'embeddings');
  const tapes: LayerTape[] = [];
  for (let l = 0; l < upTo; l++) {
    const { out, tape } = layerForward(c, l, x);
    tapes.push(tape);
    x = out;
  }
  return {
    hidden: x,
    backward(dHidden) {
      let dx = dHidden;
      for (let l = upTo - 1; l >= 0; l--) {
        const dIn = layerBackward(c, l, tapes[l], dx);
        if (dx !== dHidden) rt.release(dx);
        dx = dIn;
      }
      if (c.full) embeddingBackward(rt, s.ids, dx, grads.get(tr.model.embed.name)!);
      if (dx !== dHidden) rt.release(dx);
      free(rt, x, c.seq); // the hidden state handed out (layer upTo's output, or the embeddings)
    },
  };
}
