// Pipeline cache: compute pipelines keyed by an explicit string (kernel, entry point, source hash,
// override constants). A compile in flight is shared by every caller asking for the same key, and a
// compile error reports each message as `line:col` with the offending source line.

import { ShaderCompileError } from '../errors';

export interface KernelSpec {
  /** Kernel family, the .wgsl file's name without extension; doubles as the pipeline label. */
  kernel: string;
  code: string;
  entryPoint: string;
  /** WGSL `override` constants (workgroup sizes, layout switches). */
  constants?: Record<string, number>;
}

/** FNV-1a over the source: cheap and stable, enough to tell two shader texts apart in a key. */
function hashText(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function pipelineKey(spec: KernelSpec): string {
  const c = spec.constants ?? {};
  const consts = Object.keys(c)
    .sort()
    .map((k) => `${k}=${c[k]}`)
    .join(',');
  return `${spec.kernel}.${spec.entryPoint}#${hashText(spec.code)}[${consts}]`;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  get(spec: KernelSpec): Promise<GPUComputePipeline> {
    const key = pipelineKey(spec);
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.compile(spec, key);
      // A failed compile is not cached: the next call reports the error again.
      p.catch(() => this.pipelines.delete(key));
      this.pipelines.set(key, p);
    }
    return p;
  }

  private async compile(spec: KernelSpec, key: string): Promise<GPUComputePipeline> {
    const module = this.device.createShaderModule({ code: spec.code, label: spec.kernel });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      const lines = spec.code.split('\n');
      const messages = errors.map((m) => `${spec.kernel}.wgsl:${m.lineNum}:${m.linePos}: ${m.message}\n    ${lines[m.lineNum - 1] ?? ''}`);
      throw new ShaderCompileError(`WGSL compile failed for ${key}:\n${messages.join('\n')}`, { kernel: spec.kernel, messages });
    }
    try {
      return await this.device.createComputePipelineAsync({
        label: key,
        layout: 'auto',
        compute: { module, entryPoint: spec.entryPoint, constants: spec.constants ?? {} },
      });
    } catch (e) {
      throw new ShaderCompileError(`Pipeline creation failed for ${key}: ${(e as Error).message}`, { kernel: spec.kernel, messages: [(e as Error).message] });
    }
  }
}
