// The Translate panel: held-out TEST sentences translated greedily by the base model (as loaded) and
// by the fine-tuned one (after the Train panel), side by side with the reference, scored per sentence
// with chrF and per model with corpus chrF and BLEU. While the engine works the last result stays
// (dimmed) under a progress line.

import { useEffect, useMemo } from 'react';
import type { ModelInfo } from '../model/model';
import { shortName } from '../model/source';
import { useInspectStore } from '../store/inspect';
import { planOf, testPairs, useTranslateStore, type ModelScores, type TranslateResult } from '../store/translate';
import { languageName } from '../train/template';
import type { EngineApi, EngineEvent } from '../worker/engine';
import { ErrorBox } from './ErrorBox';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

const MODEL_TEXT = { base: 'base model', current: 'fine-tuned model' } as const;

const score = (x: number) => x.toFixed(1);

/** A model output; an empty one shows as a dash so no cell looks missing. */
function Output({ text, testId }: { text: string; testId: string }) {
  return (
    <td data-testid={testId} className="translate-output">
      {text.trim() === '' ? (
        <span className="hint" title="(empty output)">
          —
        </span>
      ) : (
        text
      )}
    </td>
  );
}

function ScoreRow({ name, s }: { name: string; s: ModelScores }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>{score(s.chrf)}</td>
      <td>{score(s.bleu)}</td>
    </tr>
  );
}

function Results({ result, stale }: { result: TranslateResult; stale: boolean }) {
  const n = result.rows.length;
  return (
    <div className={stale ? 'translate-results stale' : 'translate-results'} aria-busy={stale}>
      <section className="card translate-scores" data-testid="translate-scores" aria-labelledby="translate-scores-title">
        <h3 id="translate-scores-title">
          {languageName(result.srcLang)} → {languageName(result.tgtLang)}: {n} test sentence{n === 1 ? '' : 's'}
        </h3>
        <table>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" title="Character n-gram F-score (orders 1–6, recall weighted 2×), 0–100">
                chrF
              </th>
              <th scope="col" title="Word n-gram precision with a brevity penalty, 0–100">
                BLEU
              </th>
            </tr>
          </thead>
          <tbody>
            <ScoreRow name="Base" s={result.base} />
            <ScoreRow name="Fine-tuned" s={result.tuned} />
          </tbody>
        </table>
        <p className="hint" data-testid="translate-differing">
          {result.differing === 0
            ? 'Both models gave the same outputs: nothing has been fully fine-tuned yet.'
            : `The outputs differ on ${result.differing} of ${n} sentences.`}
        </p>
      </section>
      <table className="translate-table" data-testid="translate-table">
        <caption>
          Greedy outputs, at most {result.maxNewTokens} new tokens each; chrF per sentence against the reference.
        </caption>
        <thead>
          <tr>
            <th scope="col">Source ({result.srcLang})</th>
            <th scope="col">Reference ({result.tgtLang})</th>
            <th scope="col">Base</th>
            <th scope="col" className="num">
              chrF
            </th>
            <th scope="col">Fine-tuned</th>
            <th scope="col" className="num">
              chrF
            </th>
          </tr>
        </thead>
        <tbody>
          {result.rows.map((r, i) => (
            <tr key={i} data-testid="translate-row">
              <td>{r.source}</td>
              <td>{r.reference}</td>
              <Output text={r.base} testId="translate-base" />
              <td className="num">{score(r.chrfBase)}</td>
              <Output text={r.tuned} testId="translate-tuned" />
              <td className="num">{score(r.chrfTuned)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TranslatePanel({ engine, info }: { engine: Engine; info: ModelInfo }) {
  const corpus = useInspectStore((s) => s.corpus);
  const corpusError = useInspectStore((s) => s.corpusError);
  const { form, maxPositions, running, progress, result, error } = useTranslateStore();
  const { connect, setForm, resetForModel, run } = useTranslateStore.getState();
  useEffect(() => connect(engine), [connect, engine]);
  useEffect(() => void useInspectStore.getState().loadCorpus(), []);
  // A new model: results of the old one no longer describe what is loaded.
  useEffect(() => resetForModel(info.config.maxPositions), [resetForModel, info]);
  const { problem } = useMemo(() => planOf(corpus, form, maxPositions), [corpus, form, maxPositions]);
  const available = corpus ? testPairs(corpus, form.srcLang, form.tgtLang).length : 0;
  const languages = corpus?.languages ?? [form.srcLang, form.tgtLang];
  return (
    <section className="panel translate" aria-labelledby="translate-title">
      <h2 id="translate-title">Translate</h2>
      <p className="hint">
        Translates held-out test sentences (never trained on) with {shortName(info.name)}, greedily, through the mapping template the training uses:{' '}
        <code>&lt;src&gt;sentence&lt;sep&gt;&lt;tgt&gt;</code>, then whatever the model writes until it stops. <strong>Base</strong> is the model as loaded;{' '}
        <strong>fine-tuned</strong> is the model as trained so far (the preset in Inspect, or the Train panel: all weights, or LoRA adapters while their
        run lives), so the two are identical until you train. chrF (character n-gram F-score) and BLEU (word n-gram precision) are corpus-level
        scores against the reference, 0–100, higher is better; BLEU stays near 0 for a model this small, so read chrF first.
      </p>
      <section className="card translate-controls" aria-labelledby="translate-controls-title">
        <h3 id="translate-controls-title">What to translate</h3>
        {corpusError && (
          <p className="error" role="alert">
            {corpusError}{' '}
            <button type="button" className="secondary small" onClick={() => void useInspectStore.getState().loadCorpus()}>
              Retry
            </button>
          </p>
        )}
        <div className="inspect-fields">
          {(['srcLang', 'tgtLang'] as const).map((key) => (
            <label key={key} className="field">
              <span>{key === 'srcLang' ? 'From' : 'To'}</span>
              <select value={form[key]} disabled={running || !corpus} onChange={(e) => setForm({ [key]: e.target.value })} aria-label={key === 'srcLang' ? 'Source language' : 'Target language'}>
                {languages.map((l) => (
                  <option key={l} value={l}>
                    {l} — {languageName(l)}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <label className="field">
            <span>Test sentences</span>
            <input type="number" min={1} max={available || undefined} value={form.count} disabled={running} onChange={(e) => setForm({ count: e.target.value })} aria-label="Test sentences" />
          </label>
          <label className="field">
            <span>Max new tokens</span>
            <input
              type="number"
              min={1}
              max={maxPositions - 1}
              value={form.maxNewTokens}
              disabled={running}
              onChange={(e) => setForm({ maxNewTokens: e.target.value })}
              aria-label="Max new tokens"
            />
          </label>
        </div>
        <div className="row">
          <button type="button" disabled={running || problem !== null} onClick={() => void run(engine)}>
            {running ? 'Translating…' : 'Translate'}
          </button>
          {problem && corpus && <span className="hint">{problem}</span>}
          {!corpus && !corpusError && <span className="hint">Reading the corpus…</span>}
          {progress && (
            <div className="progress" role="status" aria-label="Translate progress" data-testid="translate-progress">
              <progress max={progress.total || 1} value={progress.done} />
              <span>
                {progress.weights === 'base' ? '1' : '2'} of 2, the {MODEL_TEXT[progress.weights]}: {progress.done}/{progress.total} sentences
              </span>
            </div>
          )}
        </div>
      </section>
      {error && (
        <ErrorBox error={error} testId="translate-error" />
      )}
      {result ? (
        <Results result={result} stale={running} />
      ) : (
        <div className="card translate-empty">
          <p className="hint">Choose a direction and how many test sentences, then Translate: both models' outputs and their scores appear here.</p>
        </div>
      )}
    </section>
  );
}
