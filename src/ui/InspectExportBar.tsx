// The download buttons next to a view: pictures (PNG, SVG) and numbers (CSV, JSON). Each button
// names its view for screen readers ("Export LAC per layer as CSV"); a failed export says why.

import { useState } from 'react';

export type ExportKind = 'png' | 'svg' | 'csv' | 'json';

const KINDS: ExportKind[] = ['png', 'svg', 'csv', 'json'];

export function InspectExportBar({ view, on }: { view: string; on: Partial<Record<ExportKind, () => void | Promise<void>>> }) {
  const [error, setError] = useState<string | null>(null);
  const run = async (f: () => void | Promise<void>) => {
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(`${(e as Error).name}: ${(e as Error).message}`);
    }
  };
  return (
    <div className="export-bar" role="group" aria-label={`Export ${view}`}>
      {KINDS.filter((k) => on[k]).map((k) => (
        <button key={k} type="button" className="secondary small" aria-label={`Export ${view} as ${k.toUpperCase()}`} title={`Download ${view} as ${k.toUpperCase()}`} onClick={() => void run(on[k]!)}>
          {k.toUpperCase()}
        </button>
      ))}
      {error && (
        <span className="error note" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
