// Beside the map: the selected tuple in every language, and the k sentences nearest to the clicked
// one at this layer (cosine in the full hidden space, any chosen language). A neighbour from the same
// tuple is a translation found; click a neighbour to select it in turn.

import type { PointRef } from '../store/inspect';
import type { Neighbour } from '../worker/analysis';
import { languageColor } from './InspectSpecs';

interface Props {
  selection: PointRef | null;
  languages: string[];
  sentences: Record<string, string[]>;
  neighbours: Neighbour[] | null;
  layer: number;
  onSelect: (p: PointRef | null) => void;
}

function Swatch({ language }: { language: string }) {
  return <span className="swatch" style={{ background: languageColor(language) }} />;
}

export function InspectNeighbours({ selection, languages, sentences, neighbours, layer, onSelect }: Props) {
  if (!selection) return <p className="hint neighbours">Click a point to see its tuple in every language and its 5 nearest sentences at this layer.</p>;
  const { language, index } = selection;
  return (
    <div className="neighbours" data-testid="neighbours">
      <div className="card-head">
        <strong>Tuple {index + 1}</strong>
        <button type="button" className="secondary small" onClick={() => onSelect(null)}>
          Clear
        </button>
      </div>
      <ul className="tuple-list">
        {languages.map((l) => (
          <li key={l} className={l === language ? 'picked' : undefined}>
            <Swatch language={l} /> <span className="lang">{l}</span> {sentences[l]?.[index]}
          </li>
        ))}
      </ul>
      <p className="neighbours-title">Nearest to the {language} sentence at layer {layer}</p>
      {neighbours === null ? (
        <p className="hint" role="status">
          Looking…
        </p>
      ) : (
        <ol className="neighbour-list" data-testid="neighbour-list">
          {neighbours.map((nb) => (
            <li key={`${nb.language}:${nb.index}`} data-testid="neighbour">
              <button type="button" className="link" onClick={() => onSelect({ language: nb.language, index: nb.index })} title="Select this sentence">
                <Swatch language={nb.language} /> <span className="lang">{nb.language}</span> <span className="sim">{nb.similarity.toFixed(3)}</span>
                {nb.index === index && <span className="chip on">translation</span>}
                <span className="sentence">{sentences[nb.language]?.[nb.index]}</span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
