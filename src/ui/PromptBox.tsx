// A prompt box that streams the model's greedy continuation token by token, and says so when the
// engine is busy with other work (the tokens then wait their turn between its pieces).

import { useState } from 'react';
import { useEngineBusy } from '../store/busy';
import type { ModelState } from '../store/model';
import type { DecodeTiming } from '../model/generation';
import type { DecodeRoofline } from '../worker/roofline';

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
/** Three significant digits: rates span 0.001 (a tiny model on a software adapter) to 1000s. */
const sig = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

/**
 * The generation's speed, prefill and decode apart; on WebGPU, where each stands against this adapter
 * (issue 16's roofline): decode's bytes per token times tokens/s against the measured copy bandwidth,
 * prefill's GFLOP/s against the fastest matmul the autotuner timed.
 */
function GenerationSpeed({ timing: t, roofline: r }: { timing: DecodeTiming; roofline: DecodeRoofline | null }) {
  const prefill = (t.promptTokens / t.prefillMs) * 1000;
  const decode = t.decodeSteps > 0 ? (t.decodeSteps / t.decodeMs) * 1000 : null;
  return (
    <div className="hint" data-testid="generation-speed">
      <p>
        Prefill {t.promptTokens} tokens at {prefill.toFixed(1)} tokens/s{decode !== null && `; decode ${decode.toFixed(1)} tokens/s (${t.decodeSteps} steps with the KV cache)`}, this device.
      </p>
      {r && (
        <p data-testid="roofline" data-fraction={r.bandwidthFraction ?? ''}>
          Decode reads {sig(r.bytesPerToken / 2 ** 20)} MiB a token (weights as stored, KV cache): {sig(r.decodeGbps)} GB/s
          {r.copyGbps !== null && r.bandwidthFraction !== null && `, ${pct(r.bandwidthFraction)} of the ${sig(r.copyGbps)} GB/s this GPU copies`}. Prefill: {sig(r.prefillGflops)} GFLOP/s
          {r.bestMatmulGflops !== null && `, ${pct(r.prefillGflops / r.bestMatmulGflops)} of its fastest matmul at load (${sig(r.bestMatmulGflops)} GFLOP/s)`}.
        </p>
      )}
    </div>
  );
}

export function PromptBox({ generation, onGenerate }: { generation: ModelState['generation']; onGenerate: (prompt: string, maxNewTokens: number) => void }) {
  const [prompt, setPrompt] = useState('The capital of France is');
  const [maxNew, setMaxNew] = useState(32);
  const busy = useEngineBusy('generation');
  return (
    <section className="card" aria-labelledby="prompt-title">
      <h3 id="prompt-title">Greedy continuation</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onGenerate(prompt, maxNew);
        }}
      >
        <textarea value={prompt} onChange={(e) => setPrompt(e.target.value)} rows={3} aria-label="Prompt" />
        <div className="row">
          <label>
            New tokens <input type="number" min={1} max={512} value={maxNew} onChange={(e) => setMaxNew(Number(e.target.value))} aria-label="New tokens" />
          </label>
          <button type="submit" disabled={generation.running || !prompt}>
            {generation.running ? 'Generating…' : 'Generate'}
          </button>
        </div>
      </form>
      {busy && (
        <p className="engine-busy" role="status" data-testid="generate-busy">
          The engine is busy: {busy}. {generation.running ? 'This generation takes turns with it and runs slowly until it is done.' : 'A generation now would take turns with it and run slowly.'}
        </p>
      )}
      {(generation.text || generation.running) && (
        <p className="continuation" data-testid="continuation">
          <span className="prompt-echo">{generation.prompt}</span>
          {generation.text}
          {generation.running && <span className="cursor">▍</span>}
        </p>
      )}
      {generation.timing && <GenerationSpeed timing={generation.timing} roofline={generation.roofline} />}
      {generation.error && (
        <p className="error" role="alert">
          {generation.error}
        </p>
      )}
    </section>
  );
}
