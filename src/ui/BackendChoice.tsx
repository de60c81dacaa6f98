// Where models run: auto (WebGPU on a real adapter; the CPU route when there is no adapter or only a
// software one), WebGPU, or the CPU route (WebAssembly SIMD threads). The choice applies to the next
// load; a loaded model can be reloaded there at once.

import { useModelStore } from '../store/model';
import type { BackendChoice as Choice } from '../worker/backend';
import type { EngineApi, EngineEvent } from '../worker/engine';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

const CHOICES: { value: Choice; label: string }[] = [
  { value: 'auto', label: 'auto: WebGPU on a real adapter, else the CPU route' },
  { value: 'webgpu', label: 'WebGPU (also on a software adapter)' },
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
        <select value={backend} onChange={(e) => setBackend(e.target.value as Choice)} aria-label="Backend">
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
    </section>
  );
}
