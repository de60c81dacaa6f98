// The loaded model at a glance: architecture, size, quantization, where it runs and the memory it
// takes there (GPU buffers on WebGPU, the WebAssembly memory on the CPU route).

import { formatBytes } from '../gpu/adapter-report';
import type { ModelInfo } from '../model/model';

const ARCHITECTURE_NAMES: Record<ModelInfo['architecture'], string> = { llama: 'Llama', qwen2: 'Qwen2', qwen3: 'Qwen3' };

export function ModelCard({ info }: { info: ModelInfo }) {
  const c = info.config;
  const rows: [string, string][] = [
    ['Source', info.name],
    ['Architecture', `${ARCHITECTURE_NAMES[info.architecture]} decoder`],
    ['Parameters', info.parameters >= 1e6 ? `${(info.parameters / 1e6).toFixed(2)} M` : info.parameters.toLocaleString('en-US')],
    ['Layers × hidden', `${c.numLayers} × ${c.hiddenSize}`],
    ['Heads (kv heads) × dim', `${c.numHeads} (${c.numKvHeads}) × ${c.headDim}`],
    ['MLP size', String(c.intermediateSize)],
    ['Vocabulary', c.vocabSize.toLocaleString('en-US')],
    ['Context', c.maxPositions.toLocaleString('en-US')],
    ['RoPE', `θ = ${c.ropeTheta}${c.ropeScaling ? `, llama3 scaling ×${c.ropeScaling.factor}` : ''}`],
    ['Embeddings', c.tieWordEmbeddings ? 'tied to the output layer' : 'separate output layer'],
    ['Weights file', `${info.weightsFormat}, ${formatBytes(info.fileBytes)}`],
    ['Quantization', info.quant === 'f32' ? 'none (f32)' : `${info.quant} blocks of 32 (embeddings and norms f32)`],
    ['Runs on', info.backendNote],
    [info.backend === 'cpu' ? 'Memory (WebAssembly)' : 'GPU memory', formatBytes(info.gpuBytes)],
  ];
  return (
    <section className="card" aria-labelledby="card-title">
      <h3 id="card-title">Model card</h3>
      <dl className="facts" data-testid="model-card">
        {rows.map(([k, v]) => (
          <div key={k} className="fact">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
