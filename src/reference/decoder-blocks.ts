// The blocks of the float64 reference decoder, each forward directly above its backward (llm.c style):
// linear (with bias and LoRA), embedding, attention block, MLP block, head. decoder.ts chains the
// forwards, decoder-backward.ts the backwards. Shapes: N = B·T rows; x [N, C]; q [N, H·D]; k, v [N, Hkv·D];
// MLP activations [N, F]; logits [N, V]. A forward returns its output and a tape of what its backward reads;
// a backward returns the gradient of its input and adds weight gradients into `grads` by weight name.

import { hasQkNorm, type DecoderConfig } from '../model/config';
import { expectedWeights, qkNormName, type WeightMap } from '../model/weights';
import { loraBackwardRef, loraForwardRef, type LoraRef } from './adapters';
import { attentionBackwardRef, attentionRef, type AttentionShape } from './attention';
import { addBackwardRef, addRef, siluMulBackwardRef, siluMulRef } from './elementwise';
import { embeddingBackwardRef, embeddingRef } from './embedding';
import { matmulBackwardRef } from './matmul';
import { rmsNormBackwardRef, rmsNormRef } from './norm';
import { ropeBackwardRef, ropeInvFreq, ropeRef } from './rope';

/** Gradients by weight name (LoRA factors as `${linear}.lora_A` / `.lora_B`). */
export type Grads = Map<string, Float64Array>;

export interface DecoderCtx {
  c: DecoderConfig;
  W: (name: string) => Float32Array;
  /** Adapters by linear weight name. */
  lora: ReadonlyMap<string, LoraRef>;
  N: number;
  /** Positions [N] (t of each row) and the attention shape over the padded batch. */
  positions: number[];
  attention: AttentionShape;
  invFreq: Float64Array;
}

export function decoderCtx(c: DecoderConfig, weights: WeightMap, B: number, T: number, lengths: ArrayLike<number>, lora: ReadonlyMap<string, LoraRef>): DecoderCtx {
  const linears = new Set(expectedWeights(c).filter((s) => s.role === 'linear').map((s) => s.name));
  for (const name of lora.keys()) if (!linears.has(name)) throw new Error(`reference decoder: LoRA on ${name}, which is not a linear weight of this model`);
  const W = (name: string) => {
    const t = weights.get(name);
    if (!t) throw new Error(`reference forward: missing weight ${name}`);
    return t.data;
  };
  const { numHeads: H, numKvHeads: Hkv, headDim: D } = c;
  const N = B * T;
  const positions = Array.from({ length: N }, (_, i) => i % T);
  return { c, W, lora, N, positions, attention: { B, Tq: T, Tk: T, H, Hkv, D, qLen: lengths }, invFreq: ropeInvFreq(c) };
}

function accumulate(grads: Grads, name: string, g: Float64Array): void {
  const acc = grads.get(name);
  if (!acc) grads.set(name, Float64Array.from(g));
  else for (let i = 0; i < g.length; i++) acc[i] += g[i];
}

// ---- linear: y [N, out] = x [N, inp]·Wᵀ (+ bias) (+ the LoRA adapter of this weight, if any) --------

function linearRef(ctx: DecoderCtx, x: ArrayLike<number>, name: string, out: number, inp: number, bias?: string): Float64Array {
  return loraForwardRef(x, ctx.W(name), ctx.lora.get(name), bias === undefined ? undefined : ctx.W(bias), ctx.N, out, inp);
}

/** dx [N, inp]; adds dW, dbias and the adapter's lora_A / lora_B gradients. */
function linearBackwardRef(ctx: DecoderCtx, grads: Grads, x: ArrayLike<number>, name: string, dy: Float64Array, out: number, inp: number, bias?: string): Float64Array {
  if (bias !== undefined) accumulate(grads, bias, addBackwardRef(dy, out));
  const lora = ctx.lora.get(name);
  if (!lora) {
    const { dA: dx, dB: dW } = matmulBackwardRef(x, ctx.W(name), dy, { M: ctx.N, N: out, K: inp, transB: true });
    accumulate(grads, name, dW);
    return dx;
  }
  const g = loraBackwardRef(x, ctx.W(name), lora, dy, ctx.N, out, inp);
  accumulate(grads, name, g.dW);
  accumulate(grads, `${name}.lora_A`, g.dA);
  accumulate(grads, `${name}.lora_B`, g.dB);
  return g.dx;
}

// ---- embedding: x [N, C] = E[ids] --------------------------------------------------------------------

export function embedRef(ctx: DecoderCtx, ids: ArrayLike<number>): Float64Array {
  return embeddingRef(ctx.W('model.embed_tokens.weight'), ids, ctx.c.hiddenSize);
}

/** Adds the gather's gradient (dx [N, C] scattered to the rows of ids) to the embedding's. */
export function embedBackwardRef(ctx: DecoderCtx, grads: Grads, ids: ArrayLike<number>, dx: Float64Array): void {
  accumulate(grads, 'model.embed_tokens.weight', embeddingBackwardRef(dx, ids, ctx.c.vocabSize, ctx.c.hiddenSize));
}

// ---- attention block: out = o_proj(attention(rope(qn(q_proj(a))), rope(kn(k_proj(a))), v_proj(a))), a = rmsnorm(x);
// qn, kn: Qwen3's RMSNorm over each head's D values (weights q_norm, k_norm [D]); the identity elsewhere.

export interface AttentionTape {
  /** Block input [N, C] and its norm a [N, C]. */
  x: Float64Array;
  a: Float64Array;
  /** Projections q [N, H·D] and k [N, Hkv·D] before the q/k norm (read by its backward; Qwen3 only). */
  qProj: Float64Array;
  kProj: Float64Array;
  /** Roped q [N, H·D], roped k [N, Hkv·D], v [N, Hkv·D], attention output [N, H·D]. */
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
  att: Float64Array;
}

const attnNames = (l: number, attentionBias: boolean) => {
  const p = `model.layers.${l}`;
  const proj = (w: string) => `${p}.self_attn.${w}_proj.weight`;
  const bias = (w: string) => (attentionBias ? `${p}.self_attn.${w}_proj.bias` : undefined);
  return { norm: `${p}.input_layernorm.weight`, q: proj('q'), k: proj('k'), v: proj('v'), o: proj('o'), bq: bias('q'), bk: bias('k'), bv: bias('v'), qNorm: qkNormName(l, 'q'), kNorm: qkNormName(l, 'k') };
};

/** Qwen3's per-head norm of y [N, heads·D] (rows of D); the identity for other architectures. */
function qkNormRef(ctx: DecoderCtx, y: Float64Array, name: string, heads: number): Float64Array {
  const { c, N } = ctx;
  return hasQkNorm(c) ? rmsNormRef(y, ctx.W(name), N * heads, c.headDim, c.rmsNormEps) : y;
}

/** dy through qkNormRef at its input y; adds the norm weight's gradient. */
function qkNormBackwardRef(ctx: DecoderCtx, grads: Grads, y: Float64Array, name: string, heads: number, dOut: Float64Array): Float64Array {
  const { c, N } = ctx;
  if (!hasQkNorm(c)) return dOut;
  const { dx, dw } = rmsNormBackwardRef(y, ctx.W(name), dOut, N * heads, c.headDim, c.rmsNormEps);
  accumulate(grads, name, dw);
  return dx;
}

/** The block's branch out [N, C] (the caller adds the residual). */
export function attentionBlockRef(ctx: DecoderCtx, l: number, x: Float64Array): { out: Float64Array; tape: AttentionTape } {
  const { c, N, positions, invFreq } = ctx;
  const { hiddenSize: C, numHeads: H, numKvHeads: Hkv, headDim: D } = c;
  const n = attnNames(l, c.attentionBias);
  const a = rmsNormRef(x, ctx.W(n.norm), N, C, c.rmsNormEps);
  const qProj = linearRef(ctx, a, n.q, H * D, C, n.bq);
  const kProj = linearRef(ctx, a, n.k, Hkv * D, C, n.bk);
  const q = ropeRef(qkNormRef(ctx, qProj, n.qNorm, H), positions, N, H, D, invFreq);
  const k = ropeRef(qkNormRef(ctx, kProj, n.kNorm, Hkv), positions, N, Hkv, D, invFreq);
  const v = linearRef(ctx, a, n.v, Hkv * D, C, n.bv);
  const att = attentionRef(q, k, v, ctx.attention);
  return { out: linearRef(ctx, att, n.o, C, H * D), tape: { x, a, qProj, kProj, q, k, v, att } };
}

/** dx [N, C] through the branch (without the residual's identity) for dOut [N, C]. */
export function attentionBlockBackwardRef(ctx: DecoderCtx, grads: Grads, l: number, tape: AttentionTape, dOut: Float64Array): Float64Array {
  const { c, N, positions, invFreq } = ctx;
  const { hiddenSize: C, numHeads: H, numKvHeads: Hkv, headDim: D } = c;
  const n = attnNames(l, c.attentionBias);
  const dAtt = linearBackwardRef(ctx, grads, tape.att, n.o, dOut, C, H * D);
  const { dq, dk, dv } = attentionBackwardRef(tape.q, tape.k, tape.v, dAtt, ctx.attention);
  const dqProj = qkNormBackwardRef(ctx, grads, tape.qProj, n.qNorm, H, ropeBackwardRef(dq, positions, N, H, D, invFreq));
  const dkProj = qkNormBackwardRef(ctx, grads, tape.kProj, n.kNorm, Hkv, ropeBackwardRef(dk, positions, N, Hkv, D, invFreq));
  const daQ = linearBackwardRef(ctx, grads, tape.a, n.q, dqProj, H * D, C, n.bq);
  const daK = linearBackwardRef(ctx, grads, tape.a, n.k, dkProj, Hkv * D, C, n.bk);
  const daV = linearBackwardRef(ctx, grads, tape.a, n.v, dv, Hkv * D, C, n.bv);
  const da = daQ.map((v, i) => v + daK[i] + daV[i]);
  const { dx, dw } = rmsNormBackwardRef(tape.x, ctx.W(n.norm), da, N, C, c.rmsNormEps);
  accumulate(grads, n.norm, dw);
  return dx;
}

// ---- MLP block: out = down_proj(silu(gate_proj(m)) * up_proj(m)), m = rmsnorm(x) -------------------

export interface MlpTape {
  /** Block input [N, C] and its norm m [N, C]. */
  x: Float64Array;
  m: Float64Array;
  /** gate and up projections [N, F], and silu(gate) * up [N, F]. */
  gate: Float64Array;
  up: Float64Array;
  g: Float64Array;
}

const mlpNames = (l: number) => {
  const p = `model.layers.${l}`;
  return { norm: `${p}.post_attention_layernorm.weight`, gate: `${p}.mlp.gate_proj.weight`, up: `${p}.mlp.up_proj.weight`, down: `${p}.mlp.down_proj.weight` };
};

/** The block's branch out [N, C] (the caller adds the residual). */
export function mlpBlockRef(ctx: DecoderCtx, l: number, x: Float64Array): { out: Float64Array; tape: MlpTape } {
  const { c, N } = ctx;
  const { hiddenSize: C, intermediateSize: F } = c;
  const n = mlpNames(l);
  const m = rmsNormRef(x, ctx.W(n.norm), N, C, c.rmsNormEps);
  const gate = linearRef(ctx, m, n.gate, F, C);
  const up = linearRef(ctx, m, n.up, F, C);
  const g = siluMulRef(gate, up);
  return { out: linearRef(ctx, g, n.down, C, F), tape: { x, m, gate, up, g } };
}

/** dx [N, C] through the branch (without the residual's identity) for dOut [N, C]. */
export function mlpBlockBackwardRef(ctx: DecoderCtx, grads: Grads, l: number, tape: MlpTape, dOut: Float64Array): Float64Array {
  const { c, N } = ctx;
  const { hiddenSize: C, intermediateSize: F } = c;
  const n = mlpNames(l);
  const dg = linearBackwardRef(ctx, grads, tape.g, n.down, dOut, C, F);
  const { dg: dGate, du: dUp } = siluMulBackwardRef(tape.gate, tape.up, dg);
  const dmGate = linearBackwardRef(ctx, grads, tape.m, n.gate, dGate, F, C);
  const dm = addRef(dmGate, linearBackwardRef(ctx, grads, tape.m, n.up, dUp, F, C));
  const { dx, dw } = rmsNormBackwardRef(tape.x, ctx.W(n.norm), dm, N, C, c.rmsNormEps);
  accumulate(grads, n.norm, dw);
  return dx;
}

// ---- head: logits [N, V] = rmsnorm(x)·(lm_head or the tied embedding)ᵀ ------------------------------

export interface HeadTape {
  /** Residual stream after the last layer [N, C] and its final norm [N, C]. */
  x: Float64Array;
  final: Float64Array;
}

const headName = (c: DecoderConfig) => (c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');

export function headRef(ctx: DecoderCtx, x: Float64Array): { logits: Float64Array; tape: HeadTape } {
  const { c, N } = ctx;
  const final = rmsNormRef(x, ctx.W('model.norm.weight'), N, c.hiddenSize, c.rmsNormEps);
  return { logits: linearRef(ctx, final, headName(c), c.vocabSize, c.hiddenSize), tape: { x, final } };
}

/** dx [N, C] for dLogits [N, V]; a tied head adds its gradient to the embedding's. */
export function headBackwardRef(ctx: DecoderCtx, grads: Grads, tape: HeadTape, dLogits: Float64Array): Float64Array {
  const { c, N } = ctx;
  const dFinal = linearBackwardRef(ctx, grads, tape.final, headName(c), dLogits, c.vocabSize, c.hiddenSize);
  const { dx, dw } = rmsNormBackwardRef(tape.x, ctx.W('model.norm.weight'), dFinal, N, c.hiddenSize, c.rmsNormEps);
  accumulate(grads, 'model.norm.weight', dw);
  return dx;
}
