// The training corpus: the bundled sample, the shipped software corpus (Debian's translations of
// program messages and documentation, split by source) or an uploaded TSV/JSONL file (gzipped or
// not), split into training and held-out tuples; what the reader skipped (by line); and the
// language pairs to train on.

import { useTrainStore } from '../store/train';
import { TrainPairPicker } from './TrainPairPicker';

/** Problems listed before "and N more". */
const SHOWN_PROBLEMS = 8;

export function TrainDataCard({ pairError }: { pairError?: string }) {
  const corpus = useTrainStore((s) => s.corpus);
  const loading = useTrainStore((s) => s.corpusLoading);
  const error = useTrainStore((s) => s.corpusError);
  const running = useTrainStore((s) => s.status?.state === 'running');
  const { loadSample, loadSoftware, loadFile } = useTrainStore.getState();
  const busy = loading || running;
  return (
    <section className="card" aria-labelledby="train-data-title">
      <h3 id="train-data-title">Data</h3>
      <p className="hint">Parallel sentences: one tuple per line, one column per language (TSV with a header, or JSONL objects keyed by language code).</p>
      <div className="row">
        <button type="button" className={corpus?.source === 'sample' ? '' : 'secondary'} disabled={busy} onClick={() => void loadSample()}>
          Sample corpus
        </button>
        <button type="button" className={corpus?.source === 'software' ? '' : 'secondary'} disabled={busy} onClick={() => void loadSoftware()}>
          Software messages and documentation
        </button>
        <label className="file-button">
          <input
            type="file"
            accept=".tsv,.jsonl,.ndjson,.gz"
            disabled={busy}
            aria-label="Upload TSV/JSONL"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void loadFile(file);
            }}
          />
          Upload TSV/JSONL…
        </label>
        {loading && <span className="hint">Reading…</span>}
      </div>
      {error && (
        <p className="error" role="alert" data-testid="corpus-error">
          {error}
        </p>
      )}
      {corpus && (
        <>
          <p data-testid="corpus-counts">
            <strong>{corpus.name}</strong>: {corpus.train.length + corpus.heldOut.length} tuples in {corpus.languages.length} languages ({corpus.languages.join(', ')}) —{' '}
            {corpus.train.length} for training, {corpus.heldOut.length} held out for evaluation.
          </p>
          {corpus.problems.length > 0 && (
            <details className="problems" data-testid="corpus-problems" open={corpus.problems.length <= 3}>
              <summary>
                {corpus.problems.length} line{corpus.problems.length === 1 ? '' : 's'} skipped or doubtful (the rest is used)
              </summary>
              <ul>
                {corpus.problems.slice(0, SHOWN_PROBLEMS).map((p, i) => (
                  <li key={i}>
                    {p.file}:{p.line}: {p.message}
                  </li>
                ))}
                {corpus.problems.length > SHOWN_PROBLEMS && <li>and {corpus.problems.length - SHOWN_PROBLEMS} more</li>}
              </ul>
            </details>
          )}
          <TrainPairPicker languages={corpus.languages} disabled={running} error={pairError} />
        </>
      )}
    </section>
  );
}
