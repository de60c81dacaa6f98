// Matmul ops of the CPU route, with the shape contracts of the WebGPU ops (src/kernels/matmul.ts and
// matmul-q.ts), over kernels/gemm.c (packed panels, 4x8 register tiles) and kernels/gemv.c (few rows).
//   matmul:           C = op(A) · op(B), f32, op = identity or transpose, batched with broadcast, `into` adds
//   matmulQ:          Y [..., N] = X [..., K] · Wᵀ, W [N, K] q4/q8 kept packed
//   matmulQBackward:  dX [..., K] = dY [..., N] · W, W still packed (LoRA on a frozen quantized base)
// The weight gradient dW = dYᵀ · X is matmul(dY, X, { transA: true }).

import { ShapeError } from '../errors';
import { numel, type CpuQWeight, type CpuRuntime, type CpuTensor } from './runtime';
import { matmulShape } from '../ops/matmul-shape';

/** Sources of B in gemm (enum BKind in kernels/pack.h). */
const B_KIND = { f32_nt: 0, f32_nn: 1, q8_nt: 2, q4_nt: 3, q8_nn: 4, q4_nn: 5 } as const;

/** At or below this many rows of X, the gemv kernels (W read in its stored layout) beat packing panels. */
export const GEMV_MAX_ROWS = 4;

export interface CpuMatmulOptions {
  /** A is stored [K, M] (or [batch, K, M]). */
  transA?: boolean;
  /** B is stored [N, K] (or [batch, N, K]). */
  transB?: boolean;
  /** Add the product into this tensor instead of a new one. */
  into?: CpuTensor;
  name?: string;
}

function gemmScratch(rt: CpuRuntime): number {
  return rt.scratch(rt.query('gemm_scratch_floats'));
}

/**
 * a [M, K] / [batch, M, K] (or transposed), b [K, N] / [batch, K, N] (or transposed). A 2-D operand next
 * to a 3-D one is broadcast over the batch. Returns C [M, N] or [batch, M, N].
 */
export function matmul(rt: CpuRuntime, a: CpuTensor, b: CpuTensor, opts: CpuMatmulOptions = {}): CpuTensor {
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  const { M, K, N, bA, bB, nBatch, outShape } = matmulShape(a, b, transA, transB, opts.into);
  const out = opts.into ?? rt.empty(outShape, opts.name ?? `matmul(${a.name},${b.name})`);
  const scratch = M <= GEMV_MAX_ROWS && transB && !transA && !opts.into ? 0 : gemmScratch(rt);
  for (let z = 0; z < nBatch; z++) {
    const pa = a.ptr + (bA === 1 ? 0 : z * M * K * 4);
    const pb = b.ptr + (bB === 1 ? 0 : z * K * N * 4);
    const pc = out.ptr + z * M * N * 4;
    if (!scratch) rt.run('gemv_f32', [pa, pb, pc, M, N, K], M * N * K);
    else rt.run('gemm', [transB ? B_KIND.f32_nt : B_KIND.f32_nn, pa, transA ? 1 : K, transA ? M : 1, pb, 0, 0, pc, M, N, K, opts.into ? 1 : 0, scratch], M * N * K);
  }
  return out;
}

export type CpuQMatmulVariant = 'auto' | 'tiled' | 'gemv';

/** x [..., K] -> y [..., N] = x · Wᵀ. */
export function matmulQ(rt: CpuRuntime, x: CpuTensor, w: CpuQWeight, opts: { variant?: CpuQMatmulVariant; name?: string } = {}): CpuTensor {
  const K = x.shape[x.shape.length - 1];
  if (K !== w.K) throw new ShapeError(`matmulQ: ${x.name} [${x.shape}] has K = ${K}, but weight ${w.name} is [${w.N}, ${w.K}].`, { x: x.shape, N: w.N, K: w.K });
  const M = numel(x.shape) / K;
  const N = w.N;
  const variant = opts.variant && opts.variant !== 'auto' ? opts.variant : M <= GEMV_MAX_ROWS ? 'gemv' : 'tiled';
  const out = rt.empty([...x.shape.slice(0, -1), N], opts.name ?? `matmul_${w.kind}(${x.name},${w.name})`);
  if (variant === 'gemv') {
    // Scratch: X zero-padded to whole blocks, per thread (kernels/gemv.c).
    const scratch = rt.scratch(M * w.nBlocks * 32);
    if (w.kind === 'q4') rt.run('gemv_q4', [x.ptr, w.data, w.scales, w.zeroPoints, out.ptr, M, N, K, scratch], M * N * K);
    else rt.run('gemv_q8', [x.ptr, w.data, w.scales, out.ptr, M, N, K, scratch], M * N * K);
  } else {
    rt.run('gemm', [w.kind === 'q4' ? B_KIND.q4_nt : B_KIND.q8_nt, x.ptr, K, 1, w.data, w.scales, w.zeroPoints, out.ptr, M, N, K, 0, gemmScratch(rt)], M * N * K);
  }
  return out;
}

/** dY [..., N] -> dX [..., K] = dY · W: the input gradient through a frozen quantized weight. */
export function matmulQBackward(rt: CpuRuntime, dy: CpuTensor, w: CpuQWeight, name = `d_input(${w.name})`): CpuTensor {
  const N = dy.shape[dy.shape.length - 1];
  if (N !== w.N) throw new ShapeError(`matmulQBackward: ${dy.name} [${dy.shape}] has ${N} columns, but weight ${w.name} is [${w.N}, ${w.K}].`, { dy: dy.shape, N: w.N, K: w.K });
  const M = numel(dy.shape) / N;
  const out = rt.empty([...dy.shape.slice(0, -1), w.K], name);
  // gemm's B(p, j) = deq(W)[p][j]: inner dimension p over W's N rows, output columns j over its K.
  rt.run('gemm', [w.kind === 'q4' ? B_KIND.q4_nn : B_KIND.q8_nn, dy.ptr, N, 1, w.data, w.scales, w.zeroPoints, out.ptr, M, w.K, N, 0, gemmScratch(rt)], M * N * w.K);
  return out;
}
