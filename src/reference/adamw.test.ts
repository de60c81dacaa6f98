import { describe, expect, it } from 'vitest';
import { ShapeError } from '../errors';
import { adamwStepRef, clipScale, decayApplies, globalGradNorm } from './adamw';

const H = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
const close = (a: ArrayLike<number>, b: number[], digits = 12) => b.forEach((x, i) => expect(a[i]).toBeCloseTo(x, digits));

describe('adamwStepRef against hand-computed steps', () => {
  it('two steps from zero moments', () => {
    // Step 1, g = [0.5, 0.1]: m = 0.1 g = [0.05, 0.01], v = 0.001 g² = [2.5e-4, 1e-5]; bias correction
    // gives m^ = g, v^ = g², so the update is g/(|g| + eps) = [0.5/0.50000001, 0.1/0.10000001].
    // p0 = 1 - 0.1 (0.99999998 + 0.01 * 1) = 0.899000002; p1 = -2 - 0.1 (0.9999999 - 0.02) = -2.09799999.
    const s1 = adamwStepRef([1, -2], [0.5, 0.1], [0, 0], [0, 0], { ...H, step: 1 });
    close(s1.m, [0.05, 0.01]);
    close(s1.v, [2.5e-4, 1e-5], 15);
    close(s1.param, [0.899000002, -2.09799999]);
    // Step 2, g = [-0.5, 0.1]: m = [0.045 - 0.05, 0.009 + 0.01] = [-0.005, 0.019],
    // v = [0.00024975 + 0.00025, 0.00000999 + 0.00001] = [4.9975e-4, 1.999e-5];
    // 1 - 0.9² = 0.19, 1 - 0.999² = 0.001999: m^ = [-0.0263157894..., 0.1], v^ = [0.25, 0.01].
    // p0 = 0.899000002 - 0.1 (-0.0263157894/0.50000001 + 0.00899000002) = 0.90336415979...
    // p1 = -2.09799999 - 0.1 (0.1/0.10000001 - 0.0209799999) = -2.19590198001
    const s2 = adamwStepRef(s1.param, [-0.5, 0.1], s1.m, s1.v, { ...H, step: 2 });
    close(s2.m, [-0.005, 0.019]);
    close(s2.v, [4.9975e-4, 1.999e-5], 15);
    close(s2.param, [0.9033641597874736, -2.19590198001]);
  });

  it('gradScale multiplies the gradient first; zero gradient leaves pure decay p (1 - lr wd)', () => {
    const a = adamwStepRef([0.3, 0.7], [2, -4], [0.01, 0.02], [0.001, 0.002], { ...H, step: 3, gradScale: 0.25 });
    const b = adamwStepRef([0.3, 0.7], [0.5, -1], [0.01, 0.02], [0.001, 0.002], { ...H, step: 3 });
    close(a.param, [...b.param], 15);
    close(a.m, [...b.m], 15);
    const d = adamwStepRef([2, -3], [0, 0], [0, 0], [0, 0], { ...H, step: 1 });
    close(d.param, [2 * (1 - 0.001), -3 * (1 - 0.001)], 15);
    const noDecay = adamwStepRef([2], [0], [0], [0], { ...H, weightDecay: 0, step: 1 });
    expect(noDecay.param[0]).toBe(2);
  });

  it('leaves its inputs alone and refuses mismatched lengths and 0-based steps', () => {
    const p = new Float64Array([1, 2]);
    adamwStepRef(p, [1, 1], [0, 0], [0, 0], { ...H, step: 1 });
    expect([...p]).toEqual([1, 2]);
    expect(() => adamwStepRef([1, 2], [1], [0, 0], [0, 0], { ...H, step: 1 })).toThrow(ShapeError);
    expect(() => adamwStepRef([1], [1], [0], [0], { ...H, step: 0 })).toThrow(RangeError);
  });
});

describe('clipping and decay selection', () => {
  it('global norm over several tensors, and the clip factor', () => {
    expect(globalGradNorm([new Float64Array([3]), new Float64Array([0, 4])])).toBe(5);
    expect(globalGradNorm([])).toBe(0);
    expect(clipScale(5, 1)).toBeCloseTo(1 / (5 + 1e-6), 15);
    expect(clipScale(0.5, 1)).toBe(1);
    expect(clipScale(1e9, Infinity)).toBe(1);
    expect(clipScale(NaN, 1)).toBeNaN();
    expect(clipScale(1e9, 0)).toBe(1); // 0 = clipping off, as the GPU kernel reads it
  });

  it('decays linear weights, embeddings and LoRA; not norms or biases', () => {
    for (const n of ['model.embed_tokens.weight', 'lm_head.weight', 'model.layers.0.self_attn.q_proj.weight', 'model.layers.3.mlp.down_proj.weight', 'model.layers.0.self_attn.q_proj.lora_A.weight']) {
      expect(decayApplies(n), n).toBe(true);
    }
    for (const n of ['model.layers.0.input_layernorm.weight', 'model.layers.0.post_attention_layernorm.weight', 'model.norm.weight', 'model.layers.0.self_attn.q_proj.bias', 'transformer.ln_f.weight', 'h.0.ln_1.weight']) {
      expect(decayApplies(n), n).toBe(false);
    }
  });
});
