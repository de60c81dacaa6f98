// Where models run: WebGPU, the CPU route (WebAssembly SIMD threads), or auto (the CPU route when
// there is no adapter or only a software one). The choice applies to the next load; a loaded model
// can be reloaded there at once. Without a choice the page takes WebGPU where there is an adapter.

import { useModelStore } from '../store/model';
import type { BackendChoice as Choice } from '../worker/backend';
import type { EngineApi, EngineEvent } from '../worker/engine';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

const CHOICES: { value: Choice | ''; label: string }[] = [
  { value: '', label: 'default: WebGPU where there is an adapter, else the CPU route' },
  { value: 'auto', label: 'auto: the CPU route on a software adapter too' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'cpu', label: 'CPU route (WebAssembly SIMD threads)' },
];

export function BackendChoice({ engine }: { engine: Engine }) {
  const backend = useModelStore((s) => s.backend);
  const info = useModelStore((s) => s.info);
  const source = useModelStore((s) => s.source);
  const loading = useModelStore((s) => s.loading !== null);
  const { setBackend, load } = useModelStore.getState();
  return (
    <section className="card" aria-labelledby="backend-title">
      <h3 id="backend-title">Where models run</h3>
      <label className="field">
        <span>Backend</span>
        <select value={backend ?? ''} onChange={(e) => setBackend((e.target.value || null) as Choice | null)} aria-label="Backend">
          {CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      {info && (
        <p className="hint">
          Now: {info.backendNote}.{' '}
          {source && (
            <button type="button" className="secondary small" disabled={loading} onClick={() => void load(engine, source, info.quant)}>
              Reload the model with this choice
            </button>
          )}
        </p>
      )}
      <p className="hint">Training in the page needs WebGPU for now; the CPU route loads, generates, embeds, analyses and translates.</p>
    </section>
  );
}
