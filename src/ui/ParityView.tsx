// Parity with onnxruntime-web: a random model exported by us to ONNX runs in our engine and in
// onnxruntime-web's WebGPU backend on this GPU; the two must agree.

import { useState } from 'react';
import type { EngineApi } from '../worker/engine';
import type { ParityResult } from '../worker/peer';

const TOLERANCE = 1e-3;

export function ParityView({ engine }: { engine: EngineApi }) {
  const [state, setState] = useState<{ running: boolean; result: ParityResult | null; error: string | null }>({ running: false, result: null, error: null });
  const run = async () => {
    setState({ running: true, result: null, error: null });
    try {
      setState({ running: false, result: await engine.checkOnnxParity('webgpu'), error: null });
    } catch (e) {
      setState({ running: false, result: null, error: `${(e as Error).name}: ${(e as Error).message}` });
    }
  };
  const r = state.result;
  const passed = r && r.maxAbsLogits <= TOLERANCE && r.maxAbsHidden.every((d) => d <= TOLERANCE) && r.greedyEqual;
  return (
    <section className="card" aria-labelledby="parity-title">
      <header className="card-head">
        <h3 id="parity-title">Parity with onnxruntime-web</h3>
        <button onClick={() => void run()} disabled={state.running}>
          {state.running ? 'Running…' : 'Check'}
        </button>
      </header>
      <p className="hint">
        Exports a random 2-layer model to ONNX (4-bit MatMulNBits), runs it in our engine and in onnxruntime-web (WebGPU), and compares logits, every hidden state and
        32 greedy tokens. Agreement within {TOLERANCE} is expected.
      </p>
      {state.running && <p role="status">Running both runtimes…</p>}
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
      {r && (
        <>
          <p className={`verdict ${passed ? 'pass' : 'fail'}`} data-testid="parity-verdict">
            {passed ? 'Our engine agrees with onnxruntime-web' : 'Our engine DISAGREES with onnxruntime-web'}
          </p>
          <table className="results">
            <tbody>
              <tr>
                <th>logits, max |Δ|</th>
                <td>{r.maxAbsLogits.toExponential(2)}</td>
              </tr>
              {r.maxAbsHidden.map((d, l) => (
                <tr key={l}>
                  <th>hidden_states.{l}, max |Δ|</th>
                  <td>{d.toExponential(2)}</td>
                </tr>
              ))}
              <tr>
                <th>32 greedy tokens</th>
                <td>{r.greedyEqual ? 'identical' : `differ: ${r.greedyOurs.join(' ')} vs ${r.greedyTheirs.join(' ')}`}</td>
              </tr>
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
