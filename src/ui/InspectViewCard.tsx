// One view of the Inspect panel: a card with its title and export buttons on top, the view itself,
// and beside it the view's explanation from VIEW_SPECS (formula, what it shows, how to read it, and
// one sentence per baseline it draws).

import type { ReactNode } from 'react';
import { InspectExportBar, type ExportKind } from './InspectExportBar';
import { VIEW_SPECS, type ViewId } from './InspectSpecs';

export function InspectViewCard({ id, exports, subtitle, wide, children }: { id: ViewId; exports: Partial<Record<ExportKind, () => void | Promise<void>>>; subtitle?: ReactNode; wide?: boolean; children: ReactNode }) {
  const spec = VIEW_SPECS[id];
  return (
    <section className={wide ? 'card inspect-view wide' : 'card inspect-view'} aria-labelledby={`inspect-${id}-title`} data-testid={`inspect-${id}`}>
      <div className="card-head">
        <h3 id={`inspect-${id}-title`}>
          {spec.title}
          {subtitle && <span className="hint"> — {subtitle}</span>}
        </h3>
        <InspectExportBar view={spec.title} on={exports} />
      </div>
      <div className="chart-body">
        <div className="chart-plot">{children}</div>
        <aside className="chart-explain">
          {spec.formula && (
            <p className="formula" data-testid={`inspect-${id}-formula`}>
              {spec.formula}
            </p>
          )}
          <p>{spec.explain.shows}</p>
          <p className="hint">{spec.explain.read}</p>
          {spec.baselines && (
            <ul className="baselines" data-testid={`inspect-${id}-baselines`}>
              {spec.baselines.map((b) => (
                <li key={b}>{b}</li>
              ))}
            </ul>
          )}
        </aside>
      </div>
    </section>
  );
}
