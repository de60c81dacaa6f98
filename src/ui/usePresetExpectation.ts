// The "what to expect" sentences of a model loaded from a URL whose folder holds the experiment's
// results (experiment.json, as the default model's does); null for any other model or while loading.

import { useEffect, useState } from 'react';
import { presetExpectation } from '../experiment/expectation';
import type { ExperimentResult } from '../experiment/report';
import type { ModelSourceSpec } from '../worker/engine';

export function usePresetExpectation(source: ModelSourceSpec | null): string[] | null {
  const [lines, setLines] = useState<string[] | null>(null);
  const url = source?.kind === 'url' ? new URL('experiment.json', new URL(source.url, location.href)).href : null;
  useEffect(() => {
    setLines(null);
    if (!url) return;
    let live = true;
    fetch(url)
      .then((r) => (r.ok ? (r.json() as Promise<ExperimentResult>) : null))
      .then((result) => live && result?.evals?.everyday && setLines(presetExpectation(result)))
      .catch(() => undefined); // a folder without the experiment's results: nothing to say
    return () => {
      live = false;
    };
  }, [url]);
  return lines;
}
