// A prompt box that streams the model's greedy continuation token by token, and says so when the
// engine is busy with other work (the tokens then wait their turn between its pieces).

import { useState } from 'react';
import { useEngineBusy } from '../store/busy';
import type { ModelState } from '../store/model';

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
      {generation.tokensPerSecond !== null && <p className="hint">{generation.tokensPerSecond.toFixed(1)} tokens/s (prefill + decode, this device)</p>}
      {generation.error && (
        <p className="error" role="alert">
          {generation.error}
        </p>
      )}
    </section>
  );
}
