// Which language pairs the mapping task translates between: one checkbox per pair of corpus
// languages. Their languages also make up the monolingual (NTP) sentences.

import { allPairs, samePair, useTrainStore } from '../store/train';
import { languageName } from '../train/template';

export function TrainPairPicker({ languages, disabled, error }: { languages: string[]; disabled: boolean; error?: string }) {
  const chosen = useTrainStore((s) => s.pairs);
  const togglePair = useTrainStore((s) => s.togglePair);
  return (
    <fieldset className="pairs" disabled={disabled}>
      <legend>Language pairs</legend>
      <div className="pair-grid">
        {allPairs(languages).map((p) => (
          <label key={`${p[0]}\u0000${p[1]}`} title={`${languageName(p[0])} – ${languageName(p[1])}`}>
            <input type="checkbox" checked={chosen.some((c) => samePair(c, p))} onChange={() => togglePair(p)} aria-label={`Pair ${p[0]}-${p[1]}`} /> {p[0]}–{p[1]}
          </label>
        ))}
      </div>
      {error ? <p className="error">{error}</p> : <p className="hint">{chosen.length} chosen. With directions “both”, each pair trains A→B and B→A.</p>}
    </fieldset>
  );
}
