// The loss's logsumexp merge as an op table (issue 16; variants.ts): for one vocabulary shard's
// logits [N, Vs], fold the shard's max and Σ exp into the running state [N, 2] (online logsumexp
// across shards, decision 44) and pick the target's logit where the shard holds it. The loss reads
// every logit of a training batch here, so at 150 k vocabularies it is a bandwidth-bound pass as long
// as the head matmul's output write.
//   two_pass   (default) shaders/vocab.wgsl `lse_update`: max, then Σ exp: reads the row twice.
//   online     vocab.wgsl `lse_online`: one read; each lane keeps (m, s), pairs tree-merged.
//   subgroups  vocab_subgroups.wgsl: one read; lanes merged by subgroupMax / subgroupAdd.

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { bindings, type GpuTensor } from './tensor';
import { uniforms } from './uniforms';
import { pickVariant, rowClass, type KernelVariant, type OpTable } from './variants';

export interface LseDims {
  /** Rows (tokens) and this shard's columns. */
  N: number;
  Vs: number;
}

export interface LseArgs {
  dims: LseDims;
  /** [N, Vs] f32. */
  logits: GpuTensor;
  /** [N] u32 targets local to the shard. */
  targets: GpuTensor;
  /** [N, 2] f32 (m, s), updated in place. */
  state: GpuTensor;
  /** [N] f32, written for rows whose target is in this shard. */
  picked: GpuTensor;
  /** Uniforms { N, Vs, begin, V } (vocab.wgsl's Params). */
  begin: number;
  V: number;
  label: string;
}

function lseVariant(name: string, shader: string, entry: string, applies: KernelVariant<LseDims, LseArgs>['applies']): KernelVariant<LseDims, LseArgs> {
  return {
    name,
    applies,
    async dispatch(ctx, batch, a) {
      batch.dispatch({
        label: a.label,
        pipeline: await ctx.pipeline(shader, entry),
        uniforms: uniforms(a.dims.N, a.dims.Vs, a.begin, a.V),
        buffers: bindings(a.logits, a.targets, a.state, a.picked),
        grid: grid1d(a.dims.N, ctx.limits.maxComputeWorkgroupsPerDimension),
      });
    },
  };
}

export const LSE_VARIANTS: OpTable<LseDims, LseArgs> = {
  op: 'vocab_lse',
  defaultFor: () => 'two_pass',
  // Rows vary with the batch; the shard's width decides the work per workgroup.
  key: (d) => `${rowClass(d.N, 4)} Vs=${d.Vs}`,
  variants: [
    lseVariant('two_pass', 'vocab', 'lse_update', () => true),
    lseVariant('online', 'vocab', 'lse_online', () => true),
    lseVariant('subgroups', 'vocab_subgroups', 'lse_update', (_d, ctx) => ctx.device.features.has('subgroups')),
  ],
};

/** Merges one shard's logits into the loss state with the tuned (or requested) variant. */
export async function lseUpdate(ctx: GpuContext, batch: Batch, args: Omit<LseArgs, 'dims'>, variant?: string): Promise<void> {
  const dims = { N: args.logits.shape[0], Vs: args.logits.shape[1] };
  await pickVariant(ctx, LSE_VARIANTS, dims, variant).dispatch(ctx, batch, { ...args, dims });
}
