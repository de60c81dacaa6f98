// Rotary position embedding over shaders/rope.wgsl: x [N, heads, D], positions [N] (u32), and
// cos/sin tables [P, D/2] from reference/rope.ts (ropeTables of ropeInvFreq), so plain and llama3
// scaling share one kernel.

import { ShapeError } from '../errors';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { emptyTensor, type GpuTensor } from './tensor';
import { uniforms } from './uniforms';

export interface RopeTables {
  cos: GpuTensor;
  sin: GpuTensor;
}

/** `inverse` rotates by the negative angle: the backward of rope (dx from dy). */
export async function rope(ctx: GpuContext, batch: Batch, x: GpuTensor, positions: GpuTensor, tables: RopeTables, name = `rope(${x.name})`, inverse = false): Promise<GpuTensor> {
  const [N, heads, D] = x.shape;
  const [P, half] = tables.cos.shape;
  if (half * 2 !== D) throw new ShapeError(`rope: tables are for head dim ${half * 2}, ${x.name} has ${D}.`, { D, half });
  const out = emptyTensor(ctx, x.shape, name);
  batch.dispatch({
    label: name,
    pipeline: await ctx.pipeline('rope', 'main', { INVERSE: inverse ? 1 : 0 }),
    uniforms: uniforms(N, heads, D, P),
    buffers: [x.buffer.buffer, positions.buffer.buffer, tables.cos.buffer.buffer, tables.sin.buffer.buffer, out.buffer.buffer],
    grid: grid1d(Math.ceil((N * heads * (D / 2)) / 256), ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  return out;
}
