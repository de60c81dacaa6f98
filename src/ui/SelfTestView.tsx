// Self-test: runs our f32 and q4 matmul kernels on this GPU and checks them against the CPU.

import type { GpuState } from '../store/gpu';

function fmt(x: number, digits = 2): string {
  return x === 0 ? '0' : x.toExponential(digits);
}

export function SelfTestView({ state, onRun }: { state: GpuState['selfTest']; onRun: () => void }) {
  const { running, progress, result, error } = state;
  return (
    <section className="card" aria-labelledby="selftest-title">
      <header className="card-head">
        <h3 id="selftest-title">Kernel self-test</h3>
        <button onClick={onRun} disabled={running}>
          {running ? 'Running…' : result ? 'Run again' : 'Run self-test'}
        </button>
      </header>
      <p className="hint">
        Multiplies random matrices with our WGSL kernels (f32, and 4-bit weights as ONNX MatMulNBits) and compares with a float64 computation on the CPU. Error is the
        largest difference relative to the largest value.
      </p>
      {running && (
        <div className="progress" role="status">
          <progress max={progress?.total ?? 1} value={progress?.done ?? 0} /> {progress ? `${progress.label} (${progress.done}/${progress.total})` : 'starting…'}
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <>
          <p className={`verdict ${result.passed ? 'pass' : 'fail'}`} data-testid="selftest-verdict">
            {result.passed ? 'Self-test passed' : 'Self-test FAILED'}
          </p>
          <table className="results">
            <thead>
              <tr>
                <th>Kernel (M×N×K)</th>
                <th>Max rel. error</th>
                <th>Tolerance</th>
                <th>Time</th>
                <th>GFLOP/s</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {result.checks.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>{fmt(c.maxRelError)}</td>
                  <td>{fmt(c.tolerance, 0)}</td>
                  <td>{c.ms.toFixed(2)} ms</td>
                  <td>{c.gflops.toFixed(2)}</td>
                  <td>{c.passed ? '✓' : '✗'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
