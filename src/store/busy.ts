// What the engine is busy with, in words, for every panel to show: the engine runs one piece of GPU
// work at a time (GpuRuntime.run), so a request made while an analysis, a training run or a
// translation is going waits its turn between that work's pieces and runs slowly until it is done.
// Composed from the stores that start such work; null when the engine is idle.

import { useInspectStore } from './inspect';
import { useModelStore } from './model';
import { useTrainStore } from './train';
import { useTranslateStore } from './translate';

export type BusyWork = 'analysis' | 'training' | 'translation' | 'generation' | 'model';

/** One line per piece of work in flight, except `mine` (the asking panel's own), or null. */
export function useEngineBusy(mine?: BusyWork): string | null {
  const analyzing = useInspectStore((s) => (s.analyzing || s.projecting ? (s.progress ? `analysing alignment — ${s.progress.label} (${s.progress.done}/${s.progress.total})` : 'analysing alignment') : null));
  const training = useTrainStore((s) => (s.status?.state === 'running' ? `training — step ${s.status.step} of ${s.status.steps}` : null));
  const translating = useTranslateStore((s) => (s.running ? `translating${s.progress ? ` (${s.progress.done}/${s.progress.total})` : ''}` : null));
  const generating = useModelStore((s) => (s.generation.running ? 'generating text' : null));
  const loading = useModelStore((s) => (s.loading ? 'loading a model' : null));
  const work: [BusyWork, string | null][] = [
    ['analysis', analyzing],
    ['training', training],
    ['translation', translating],
    ['generation', generating],
    ['model', loading],
  ];
  const lines = work.filter(([w, line]) => w !== mine && line !== null).map(([, line]) => line);
  return lines.length ? lines.join('; ') : null;
}
