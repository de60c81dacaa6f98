// Choosing a model: a folder from disk, a URL of a folder, the app's default model, or the random
// tiny model (Hub repos: HubLoader.tsx); with the weight quantization to load into (showing the
// loaded model's until changed). LoadProgressLine is the byte progress of any load, downloads from
// the Hub included, which the panel shows above its cards.

import { useState } from 'react';
import { formatBytes } from '../gpu/adapter-report';
import type { WeightQuant } from '../model/decoder';
import type { ModelSourceSpec } from '../worker/engine';
import type { LoadState } from '../store/model';

const STAGES: Record<string, string> = { starting: 'Starting', download: 'Downloading into the browser cache', tokenizer: 'Reading the tokenizer', config: 'Reading config.json', weights: 'Reading weights', upload: 'Quantizing and uploading to the GPU' };

interface Props {
  loading: LoadState | null;
  quant: WeightQuant;
  setQuant: (q: WeightQuant) => void;
  onLoad: (source: ModelSourceSpec, quant: WeightQuant) => void;
  onLoadDefault: () => void;
}

export function ModelLoader({ loading, quant, setQuant, onLoad, onLoadDefault }: Props) {
  const [url, setUrl] = useState('');
  const busy = loading !== null;
  return (
    <section className="card" aria-labelledby="load-title">
      <h3 id="load-title">Load a model</h3>
      <p className="hint">
        A Llama, Qwen2 or Qwen3 checkpoint folder: <code>config.json</code>, <code>tokenizer.json</code> (and <code>tokenizer_config.json</code>), and{' '}
        <code>model.safetensors</code> (f32, f16 or bf16; quantized on load) or our <code>model.onnx</code>. Or a folder (or URL) of one llama.cpp{' '}
        <code>.gguf</code> file with a byte-level BPE tokenizer (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K tensors; Q8_0 and Q4_0 keep their codes under q8 and q4).
      </p>
      <div className="row">
        <label>
          Weights on the GPU{' '}
          <select value={quant} onChange={(e) => setQuant(e.target.value as WeightQuant)} disabled={busy} aria-label="Quantization">
            <option value="q4">q4 (4-bit blocks, MatMulNBits)</option>
            <option value="q8">q8 (int8 blocks)</option>
            <option value="f32">f32 (no quantization)</option>
          </select>
        </label>
      </div>
      <div className="row">
        <label className="file-button">
          <input
            type="file"
            multiple
            disabled={busy}
            aria-label="Model folder"
            // webkitdirectory lets the user pick a whole folder; plain multi-select works too.
            {...({ webkitdirectory: '' } as Record<string, string>)}
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              if (files.length) onLoad({ kind: 'files', files }, quant);
            }}
          />
          Choose folder…
        </label>
        <form
          className="url-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (url.trim()) onLoad({ kind: 'url', url: url.trim() }, quant);
          }}
        >
          <input type="url" placeholder="https://…/model-folder/ or …/model.gguf" value={url} onChange={(e) => setUrl(e.target.value)} disabled={busy} aria-label="Model folder URL" />
          <button type="submit" disabled={busy || !url.trim()}>
            Load URL
          </button>
        </form>
        <button type="button" className="secondary" disabled={busy} onClick={onLoadDefault} title="alignscope-tiny, shipped with the app, in f32 with its precomputed base analysis">
          Load the default model
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => onLoad({ kind: 'random', seed: 1 }, quant)}>
          Random tiny model
        </button>
      </div>
    </section>
  );
}

export function LoadProgressLine({ loading }: { loading: LoadState }) {
  const percent = loading.total > 1 ? Math.floor((100 * loading.loaded) / loading.total) : null;
  return (
    <div className="progress" role="status" aria-label="Loading progress">
      <progress max={loading.total || 1} value={loading.total ? loading.loaded : undefined} />
      <span>
        {STAGES[loading.stage] ?? loading.stage} {loading.file}
        {percent !== null && ` — ${formatBytes(loading.loaded)} of ${formatBytes(loading.total)} (${percent}%)`}
      </span>
    </div>
  );
}
