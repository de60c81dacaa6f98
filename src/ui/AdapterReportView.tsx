// The adapter report in readable form: what the GPU is, which features we use, and the limits that
// decide what fits.

import { formatBytes, REPORTED_LIMITS, WANTED_FEATURES, type AdapterReport, type ReportedLimit } from '../gpu/adapter-report';

const BYTE_LIMITS: ReadonlySet<ReportedLimit> = new Set(['maxBufferSize', 'maxStorageBufferBindingSize', 'maxUniformBufferBindingSize', 'maxComputeWorkgroupStorageSize']);

export function AdapterReportView({ report }: { report: AdapterReport }) {
  return (
    <div className="report">
      <dl className="facts" aria-label="Adapter">
        <dt>Vendor</dt>
        <dd data-testid="adapter-vendor">{report.vendor || '—'}</dd>
        <dt>Architecture</dt>
        <dd data-testid="adapter-architecture">{report.architecture || '—'}</dd>
        <dt>Description</dt>
        <dd>{report.description || report.device || '—'}</dd>
        <dt>Kind</dt>
        <dd data-testid="adapter-fallback">{report.isFallbackAdapter ? 'software (fallback) adapter: correct but slow' : 'hardware adapter'}</dd>
        <dt>Features used</dt>
        <dd>
          {WANTED_FEATURES.map((f) => (
            <span key={f} className={`chip ${report.enabledFeatures.includes(f) ? 'on' : 'off'}`} title={report.enabledFeatures.includes(f) ? 'enabled' : 'not offered by this adapter'}>
              {f}
            </span>
          ))}
        </dd>
        {report.subgroupMinSize !== null && (
          <>
            <dt>Subgroup size</dt>
            <dd>
              {report.subgroupMinSize}–{report.subgroupMaxSize}
            </dd>
          </>
        )}
      </dl>
      <table className="limits">
        <caption>Limits in force</caption>
        <tbody>
          {REPORTED_LIMITS.map((name) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{BYTE_LIMITS.has(name) ? formatBytes(report.limits[name]) : report.limits[name].toLocaleString('en-US')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
