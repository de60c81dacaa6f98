// The weights a decoder needs, named as in Hugging Face checkpoints, with their shapes. Every reader
// (safetensors, ONNX), the reference forward, the GPU loader and the exporter agree on this list.
// Linear weights are [out, in] (Y = X · Wᵀ), as in PyTorch.

import { hasQkNorm, type DecoderConfig } from './config';

export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** Weights by Hugging Face name, in f32 on the CPU. */
export type WeightMap = Map<string, HostTensor>;

export type WeightRole = 'embedding' | 'norm' | 'linear' | 'bias';

export interface WeightSpec {
  name: string;
  shape: number[];
  role: WeightRole;
}

export const LINEAR_NAMES = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const;
export type LinearName = (typeof LINEAR_NAMES)[number];

export function layerPrefix(i: number): string {
  return `model.layers.${i}`;
}

export function linearWeightName(layer: number, which: LinearName): string {
  const part = which === 'gate' || which === 'up' || which === 'down' ? 'mlp' : 'self_attn';
  return `${layerPrefix(layer)}.${part}.${which}_proj.weight`;
}

/** Qwen3's per-head RMSNorm weight [D] of q or k (hasQkNorm). */
export function qkNormName(layer: number, which: 'q' | 'k'): string {
  return `${layerPrefix(layer)}.self_attn.${which}_norm.weight`;
}

/** [out, in] of each linear of a layer. */
export function linearShape(c: DecoderConfig, which: LinearName): [number, number] {
  const C = c.hiddenSize;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  switch (which) {
    case 'q':
      return [qDim, C];
    case 'k':
    case 'v':
      return [kvDim, C];
    case 'o':
      return [C, qDim];
    case 'gate':
    case 'up':
      return [c.intermediateSize, C];
    case 'down':
      return [C, c.intermediateSize];
  }
}

/** Every tensor the config calls for, in a stable order. */
export function expectedWeights(c: DecoderConfig): WeightSpec[] {
  const out: WeightSpec[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, c.hiddenSize], role: 'embedding' }];
  for (let i = 0; i < c.numLayers; i++) {
    const p = layerPrefix(i);
    out.push({ name: `${p}.input_layernorm.weight`, shape: [c.hiddenSize], role: 'norm' });
    for (const w of LINEAR_NAMES) {
      out.push({ name: linearWeightName(i, w), shape: linearShape(c, w), role: 'linear' });
      if (c.attentionBias && (w === 'q' || w === 'k' || w === 'v')) out.push({ name: `${p}.self_attn.${w}_proj.bias`, shape: [linearShape(c, w)[0]], role: 'bias' });
      if (hasQkNorm(c) && (w === 'q' || w === 'k')) out.push({ name: qkNormName(i, w), shape: [c.headDim], role: 'norm' });
      if (w === 'o') out.push({ name: `${p}.post_attention_layernorm.weight`, shape: [c.hiddenSize], role: 'norm' });
    }
  }
  out.push({ name: 'model.norm.weight', shape: [c.hiddenSize], role: 'norm' });
  if (!c.tieWordEmbeddings) out.push({ name: 'lm_head.weight', shape: [c.vocabSize, c.hiddenSize], role: 'linear' });
  return out;
}

export function parameterCount(c: DecoderConfig): number {
  return expectedWeights(c).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
}
