// The plan of a Hub download, shown before anything big is fetched: the format and files chosen,
// what is in the cache already, the bytes left to download, the GPU memory the weights will take at
// the selected quantization against the adapter's limits, and the room the browser cache has left,
// with a warning for each that does not fit. Then the button that downloads (or resumes) and loads.

import { formatBytes } from '../gpu/adapter-report';
import type { HubPlanSummary } from '../hub/plan-summary';
import type { WeightQuant } from '../model/decoder';

interface Props {
  plan: HubPlanSummary;
  quant: WeightQuant;
  busy: boolean;
  onVariant: (path: string) => void;
  onDownload: () => void;
}

const LIMIT_NAMES = { maxBufferSize: 'largest buffer', maxStorageBufferBindingSize: 'largest storage binding' } as const;

/** Host memory the browser reports (navigator.deviceMemory, GiB, capped at 8 by Chrome), or null. */
function deviceMemoryBytes(): number | null {
  const gib = (navigator as { deviceMemory?: number }).deviceMemory;
  return typeof gib === 'number' ? gib * 2 ** 30 : null;
}

export function HubPlanView({ plan, quant, busy, onVariant, onDownload }: Props) {
  const estimate = plan.estimates?.[quant] ?? null;
  const cached = plan.totalBytes - plan.remainingBytes;
  const missing = plan.available !== null && plan.remainingBytes > plan.available ? plan.remainingBytes - plan.available : 0;
  const hostBytes = deviceMemoryBytes();
  // config.json comes with the plan; only weights or tokenizer bytes already there make this a resumption.
  const resuming = plan.files.some((f) => f.path !== 'config.json' && f.done > 0);
  return (
    <div className="hub-plan" data-testid="hub-plan" aria-label="Download plan">
      <h4>
        {plan.repo}@{plan.revision} — {plan.format}
        {plan.variant && ` (${plan.variant.split('/').pop()})`}
      </h4>
      {plan.alternatives.length > 0 && (
        <label className="row">
          File{' '}
          <select value={plan.variant ?? ''} onChange={(e) => onVariant(e.target.value)} disabled={busy} aria-label="Weights file">
            {plan.alternatives.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
      )}
      <table className="hub-files">
        <thead>
          <tr>
            <th>File</th>
            <th>Size</th>
            <th>In the cache</th>
          </tr>
        </thead>
        <tbody>
          {plan.files.map((f) => (
            <tr key={f.path}>
              <td>
                <code>{f.path}</code>
              </td>
              <td>{formatBytes(f.size)}</td>
              <td>{f.verified ? 'verified' : f.done > 0 ? `${formatBytes(f.done)} (partial, resumes)` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="facts">
        <dt>Download size</dt>
        <dd data-testid="hub-plan-size">{formatBytes(plan.totalBytes)}</dd>
        <dt>Left to download</dt>
        <dd data-testid="hub-plan-remaining">
          {formatBytes(plan.remainingBytes)}
          {cached > 0 && ` (${formatBytes(cached)} already in the cache)`}
        </dd>
        <dt>GPU memory ({quant})</dt>
        <dd data-testid="hub-plan-memory">
          {estimate
            ? `about ${formatBytes(estimate.weightBytes)} of weights for ${(estimate.parameters / 1e6).toFixed(1)} M parameters; largest buffer ${formatBytes(estimate.largest.bytes)} (${estimate.largest.tensor})`
            : 'not known before the download (no config.json): about the size of the weights file, or more where the loader dequantizes'}
        </dd>
        {plan.limits && (
          <>
            <dt>Adapter limits</dt>
            <dd>
              buffer {formatBytes(plan.limits.maxBufferSize)}, storage binding {formatBytes(plan.limits.maxStorageBufferBindingSize)}
              {hostBytes !== null && `; this device reports about ${formatBytes(hostBytes)} of memory (WebGPU does not say how much the GPU has)`}
            </dd>
          </>
        )}
        <dt>Browser cache</dt>
        <dd>{plan.available === null ? 'the browser does not say how much room is left' : `${formatBytes(plan.available)} free`}</dd>
      </dl>
      {estimate && estimate.exceeds.length > 0 && (
        <div className="warning" role="alert" data-testid="hub-plan-warning">
          <strong>It will not fit this adapter at {quant}:</strong>
          <ul>
            {estimate.exceeds.map((x) => (
              <li key={`${x.tensor}-${x.limit}`}>
                {x.tensor} needs {formatBytes(x.need)} in one buffer; the {LIMIT_NAMES[x.limit]} is {formatBytes(x.cap)} ({x.limit})
              </li>
            ))}
          </ul>
          {quant === 'f32' ? 'Choose q8 or q4 above, or a smaller model.' : 'Choose a smaller model, or a machine whose adapter allows larger buffers.'}
        </div>
      )}
      {estimate && hostBytes !== null && estimate.weightBytes > hostBytes && (
        <div className="warning" role="alert">
          The weights ({formatBytes(estimate.weightBytes)} at {quant}) exceed the {formatBytes(hostBytes)} of memory this device reports: loading will likely fail. {quant === 'q4' ? 'Choose a smaller model.' : 'Choose q4 above, or a smaller model.'}
        </div>
      )}
      {missing > 0 && (
        <div className="warning" role="alert">
          The browser cache lacks {formatBytes(missing)} for this download: delete cached models below, or free disk space, before downloading.
        </div>
      )}
      <div className="row">
        <button type="button" onClick={onDownload} disabled={busy}>
          {plan.complete ? 'Load from the cache' : resuming ? 'Resume download & load' : 'Download & load'}
        </button>
        {!plan.complete && <span className="hint">Files go to this browser’s private storage (OPFS), checked by SHA-256; a cut download resumes where it stopped.</span>}
      </div>
    </div>
  );
}
