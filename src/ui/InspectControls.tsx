// What to analyse: the corpus (everyday sentences, or software messages and documentation that
// Debian's translators wrote), languages, split, how many tuples, pooling, centring, the map's projection, the
// layer shown, and the Analyze button with the engine's progress while it works. The layer slider
// and the projection change only the views (the map re-projects the kept embeddings); the rest
// takes effect with the next Analyze.

import { useMemo } from 'react';
import { CORPORA, CORPUS_NAMES, type CorpusName } from '../data/corpora';
import type { Pooling } from '../reference/pooling';
import { useInspectStore } from '../store/inspect';
import { requestOf, splitTuples, type MapMethod, type SplitName } from '../store/inspect-request';
import { useModelStore } from '../store/model';
import { languageName } from '../train/template';
import type { EngineApi } from '../worker/engine';
import { InspectProgressLine } from './InspectProgressLine';
import { languageColor } from './InspectSpecs';

const SPLITS: SplitName[] = ['test', 'dev', 'train', 'all'];

export function InspectControls({ engine, numLayers }: { engine: EngineApi; numLayers: number }) {
  const corpus = useInspectStore((s) => s.corpus);
  const corpusName = useInspectStore((s) => s.corpusName);
  const corpusError = useInspectStore((s) => s.corpusError);
  const form = useInspectStore((s) => s.form);
  const layer = useInspectStore((s) => s.layer);
  const analyzing = useInspectStore((s) => s.analyzing);
  const result = useInspectStore((s) => s.result);
  const modelLoaded = useModelStore((s) => s.info !== null);
  const { setForm, toggleLanguage, analyze, setLayer, setMethod, loadCorpus, setCorpus } = useInspectStore.getState();
  const { problem } = useMemo(() => requestOf(corpus, form), [corpus, form]);
  const splitSize = (s: SplitName) => (corpus ? splitTuples(corpus, s).length : 0);
  const top = result ? result.layers[result.layers.length - 1] : numLayers;
  return (
    <section className="card inspect-controls" aria-labelledby="inspect-controls-title">
      <h3 id="inspect-controls-title">What to compare</h3>
      {corpusError && (
        <p className="error" role="alert">
          {corpusError}{' '}
          <button type="button" className="secondary small" onClick={() => void loadCorpus()}>
            Retry
          </button>
        </p>
      )}
      <fieldset className="plain" disabled={analyzing || !corpus}>
        <legend className="sr-only">Languages</legend>
        <div className="lang-picks">
          {(corpus?.languages ?? []).map((l) => (
            <label key={l} title={languageName(l)}>
              <input type="checkbox" checked={form.languages.includes(l)} onChange={() => toggleLanguage(l)} aria-label={`Language ${l}`} />
              <span className="swatch" style={{ background: languageColor(l) }} /> {l}
            </label>
          ))}
          {!corpus && !corpusError && <span className="hint">Reading the corpus…</span>}
        </div>
      </fieldset>
      <div className="inspect-fields">
        <label className="field">
          <span>Corpus</span>
          <select value={corpusName} disabled={analyzing} onChange={(e) => void setCorpus(e.target.value as CorpusName)} aria-label="Corpus">
            {CORPUS_NAMES.map((n) => (
              <option key={n} value={n}>
                {CORPORA[n].label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Split</span>
          <select value={form.split} disabled={analyzing} onChange={(e) => setForm({ split: e.target.value as SplitName, count: '' })} aria-label="Split">
            {SPLITS.map((s) => (
              <option key={s} value={s}>
                {s} ({splitSize(s)})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Tuples</span>
          <input
            type="number"
            min={2}
            max={splitSize(form.split)}
            placeholder={`all ${splitSize(form.split)}`}
            value={form.count}
            disabled={analyzing}
            onChange={(e) => setForm({ count: e.target.value })}
            aria-label="Tuples"
          />
        </label>
        <label className="field">
          <span>Pooling</span>
          <select value={form.pooling} disabled={analyzing} onChange={(e) => setForm({ pooling: e.target.value as Pooling })} aria-label="Pooling">
            <option value="mean">mean</option>
            <option value="last">last token</option>
          </select>
        </label>
        <label className="field">
          <span>Projection</span>
          <select value={form.method} onChange={(e) => setMethod(engine, e.target.value as MapMethod)} aria-label="Projection">
            <option value="pca">PCA</option>
            <option value="umap">UMAP</option>
          </select>
        </label>
        <div className="field">
          <span>Centring</span>
          <label className="choice inline" title="Centre each language's vectors on that language's mean before normalising (DESIGN.md); off compares raw directions">
            <input type="checkbox" checked={form.centre} disabled={analyzing} onChange={(e) => setForm({ centre: e.target.checked })} aria-label="Centre each language" /> each language on its mean
          </label>
        </div>
      </div>
      <div className="row layer-row">
        <label htmlFor="inspect-layer">Layer</label>
        <input
          id="inspect-layer"
          type="range"
          min={0}
          max={top}
          step={1}
          value={Math.min(layer, top)}
          disabled={analyzing}
          onChange={(e) => setLayer(engine, Number(e.target.value))}
          aria-label="Layer"
          aria-valuetext={layer === 0 ? 'layer 0 (embeddings)' : `layer ${layer} of ${top}`}
        />
        <output data-testid="inspect-layer" htmlFor="inspect-layer">
          {layer === 0 ? '0 (embeddings)' : `${layer} of ${top}`}
        </output>
      </div>
      <div className="row">
        <button type="button" disabled={analyzing || problem !== null || !modelLoaded} onClick={() => void analyze(engine)}>
          {analyzing ? 'Analyzing…' : 'Analyze'}
        </button>
        {problem && corpus && <span className="hint">{problem}</span>}
        {!modelLoaded && <span className="hint">Analyze works once the model has loaded.</span>}
        <InspectProgressLine />
      </div>
    </section>
  );
}
