// The engine's progress while it embeds, measures or projects: a bar and what it is doing now.

import { useInspectStore } from '../store/inspect';

const TASK_TEXT = { analyze: 'Analyzing', project: 'Projecting' } as const;

export function InspectProgressLine() {
  const progress = useInspectStore((s) => s.progress);
  if (!progress) return null;
  return (
    <div className="progress" role="status" aria-label="Inspect progress" data-testid="inspect-progress">
      <progress max={progress.total || 1} value={progress.total ? progress.done : undefined} />
      <span>
        {TASK_TEXT[progress.task]}: {progress.label} ({progress.done}/{progress.total})
      </span>
    </div>
  );
}
