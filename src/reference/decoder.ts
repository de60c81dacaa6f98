// Float64 reference forward of a Llama/Qwen2 decoder: the oracle for the GPU forward and for the
// ONNX export. Shapes: ids [B, T] right-padded, lengths [B]; hidden states [B, T, C]; logits [B, T, V].
//
//   x = E[ids]                                                     hidden[0]
//   for each layer l:
//     a = rmsnorm(x, w_in);  q,k,v = a·Wqᵀ(+bq), a·Wkᵀ(+bk), a·Wvᵀ(+bv);  rope(q), rope(k)
//     x = x + attention(q, k, v)·Woᵀ
//     m = rmsnorm(x, w_post);  x = x + (silu(m·Wgᵀ) * (m·Wuᵀ))·Wdᵀ      hidden[l + 1]
//   logits = rmsnorm(x, w_final)·(lm_head or E)ᵀ
// Note: hidden[L] is the residual stream before the final norm (Hugging Face's last hidden state is
// after it). Positions of padded tokens are computed but never attended by real tokens (causal mask).

import type { DecoderConfig } from '../model/config';
import type { WeightMap } from '../model/weights';
import { attentionRef } from './attention';
import { addRef, siluMulRef } from './elementwise';
import { matmulRef } from './matmul';
import { rmsNormRef } from './norm';
import { ropeInvFreq, ropeRef } from './rope';

export interface DecoderRefOutput {
  logits: Float64Array;
  /** L + 1 arrays [B, T, C]: the embeddings, then the residual stream after each layer. */
  hidden: Float64Array[];
}

export function decoderForwardRef(c: DecoderConfig, weights: WeightMap, ids: ArrayLike<number>, B: number, T: number, lengths: ArrayLike<number> = Array(B).fill(T)): DecoderRefOutput {
  const W = (name: string) => {
    const t = weights.get(name);
    if (!t) throw new Error(`reference forward: missing weight ${name}`);
    return t.data;
  };
  const { hiddenSize: C, numHeads: H, numKvHeads: Hkv, headDim: D, intermediateSize: F, vocabSize: V } = c;
  const N = B * T;
  const linear = (x: ArrayLike<number>, name: string, out: number, inp: number, bias?: string) => {
    const y = matmulRef(x, W(name), { M: N, N: out, K: inp, transB: true });
    return bias ? addRef(y, W(bias)) : y;
  };
  const invFreq = ropeInvFreq(c);
  const positions = Array.from({ length: N }, (_, i) => i % T);

  const E = W('model.embed_tokens.weight');
  let x: Float64Array<ArrayBufferLike> = new Float64Array(N * C);
  for (let n = 0; n < N; n++) for (let j = 0; j < C; j++) x[n * C + j] = E[ids[n] * C + j];
  const hidden = [x];

  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    const a = rmsNormRef(x, W(`${p}.input_layernorm.weight`), N, C, c.rmsNormEps);
    const bias = (w: string) => (c.attentionBias ? `${p}.self_attn.${w}_proj.bias` : undefined);
    const q = ropeRef(linear(a, `${p}.self_attn.q_proj.weight`, H * D, C, bias('q')), positions, N, H, D, invFreq);
    const k = ropeRef(linear(a, `${p}.self_attn.k_proj.weight`, Hkv * D, C, bias('k')), positions, N, Hkv, D, invFreq);
    const v = linear(a, `${p}.self_attn.v_proj.weight`, Hkv * D, C, bias('v'));
    const att = attentionRef(q, k, v, { B, Tq: T, Tk: T, H, Hkv, D, qLen: lengths });
    x = addRef(x, linear(att, `${p}.self_attn.o_proj.weight`, C, H * D));
    const m = rmsNormRef(x, W(`${p}.post_attention_layernorm.weight`), N, C, c.rmsNormEps);
    const g = siluMulRef(linear(m, `${p}.mlp.gate_proj.weight`, F, C), linear(m, `${p}.mlp.up_proj.weight`, F, C));
    x = addRef(x, linear(g, `${p}.mlp.down_proj.weight`, C, F));
    hidden.push(x);
  }
  const final = rmsNormRef(x, W('model.norm.weight'), N, C, c.rmsNormEps);
  const logits = linear(final, c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight', V, C);
  return { logits, hidden };
}
