// Loading a model from the Hugging Face Hub, in two steps: "Check" lists the repo and fetches its
// config.json (small) in the engine worker, and the plan (files, sizes, GPU memory, room in the
// cache) is shown; "Download & load" then asks the browser to keep the cache (persist(), which only
// the page may ask) and loads the `hub` source, which downloads what is missing into OPFS in the
// worker. A few multilingual models are suggested with approximate sizes. After a failed download
// the plan is made again, so it shows what is cached and where the download will resume.

import { useEffect, useState } from 'react';
import { formatBytes } from '../gpu/adapter-report';
import { DEFAULT_HUB } from '../hub/hub-api';
import { parseRepoId } from '../hub/repo-id';
import type { HubPlanSummary } from '../hub/plan-summary';
import { SUGGESTED_MODELS } from '../hub/suggested';
import type { WeightQuant } from '../model/decoder';
import type { EngineApi, HubSourceSpec } from '../worker/engine';
import { ErrorBox } from './ErrorBox';
import { HubPlanView } from './HubPlanView';
import { baseUrlProblem, HubSettingsFields, type HubSettings } from './HubSettings';

interface Props {
  engine: Pick<EngineApi, 'planHubModel'>;
  settings: HubSettings;
  busy: boolean;
  quant: WeightQuant;
  /** Loads the source; resolves once the load ended, `ok` false when it failed (the panel shows why). */
  onLoad: (source: HubSourceSpec) => Promise<boolean>;
}

type Shown = { name: string; message: string };

export function HubLoader({ engine, settings, busy, quant, onLoad }: Props) {
  const [repo, setRepo] = useState('');
  const [variant, setVariant] = useState<string | undefined>(undefined);
  const [plan, setPlan] = useState<HubPlanSummary | null>(null);
  const [planning, setPlanning] = useState(false);
  const [error, setError] = useState<Shown | null>(null);
  const [persisted, setPersisted] = useState<boolean | null>(null);
  // Open from the start when a setting differs from the default; opened by a 401/403, where the token goes.
  const [showSettings, setShowSettings] = useState(settings.token !== '' || settings.baseUrl !== DEFAULT_HUB);
  useEffect(() => {
    if (error?.name === 'HubAuthError') setShowSettings(true);
  }, [error]);

  // A plan belongs to the repo, revision and Hub it was made for.
  useEffect(() => setPlan(null), [settings.baseUrl]);

  const source = (id: string, v = variant): HubSourceSpec => ({ kind: 'hub', id, baseUrl: settings.baseUrl.trim(), token: settings.token.trim() || undefined, variant: v });

  const check = async (id: string, v?: string) => {
    setError(null);
    setPlan(null);
    const problem = baseUrlProblem(settings.baseUrl.trim());
    if (problem) return setError({ name: 'HubRequestError', message: `${problem}. Fix the Hub base URL.` });
    try {
      parseRepoId(id); // a typo is reported here, without a round trip to the worker
      setPlanning(true);
      setPlan(await engine.planHubModel(source(id, v)));
    } catch (e) {
      setError({ name: (e as Error).name, message: (e as Error).message });
    } finally {
      setPlanning(false);
    }
  };

  const download = async () => {
    if (!plan) return;
    // Only a page may ask (not the worker); asked at the click, where browsers grant it most readily.
    setPersisted(navigator.storage?.persist ? await navigator.storage.persist().catch(() => false) : null);
    const id = `${plan.repo}@${plan.revision}`;
    const ok = await onLoad(source(id, plan.variant ?? undefined));
    if (ok) setPlan(null);
    else await check(id, plan.variant ?? undefined);
  };

  const disabled = busy || planning;
  return (
    <section className="card" aria-labelledby="hub-title">
      <h3 id="hub-title">Models from the Hugging Face Hub</h3>
      <form
        className="url-form"
        onSubmit={(e) => {
          e.preventDefault();
          setVariant(undefined);
          if (repo.trim()) void check(repo.trim());
        }}
      >
        <input type="text" placeholder="owner/name@revision, e.g. Qwen/Qwen2.5-0.5B-Instruct" value={repo} onChange={(e) => setRepo(e.target.value)} disabled={disabled} aria-label="Hugging Face repo" />
        <button type="submit" disabled={disabled || !repo.trim()} title="Lists the repo's files and reads its config.json: nothing big is downloaded yet">
          {planning ? 'Checking…' : 'Check'}
        </button>
      </form>
      <div className="hub-suggested">
        <span className="hint">Suggested (sizes approximate, bf16 weights; Check gives the exact size):</span>
        <ul>
          {SUGGESTED_MODELS.map((m) => (
            <li key={m.id}>
              <button
                type="button"
                className="secondary small"
                disabled={disabled}
                onClick={() => {
                  setRepo(m.id);
                  setVariant(undefined);
                  void check(m.id);
                }}
              >
                {m.id}
              </button>{' '}
              <span className="hint">
                ≈ {formatBytes(m.approxBytes)} · {m.note}
                {m.gated && ' · gated: needs a token'}
              </span>
            </li>
          ))}
        </ul>
      </div>
      <details className="hub-settings-box" open={showSettings} onToggle={(e) => setShowSettings(e.currentTarget.open)}>
        <summary>Hub address and access token</summary>
        <HubSettingsFields settings={settings} disabled={disabled} />
      </details>
      {error && (
        <ErrorBox error={error} testId="hub-error">
          {error.name === 'HubAuthError' && <p className="hint">Enter an access token under “Hub address and access token”, then Check again.</p>}
        </ErrorBox>
      )}
      {plan && (
        <HubPlanView
          plan={plan}
          quant={quant}
          busy={disabled}
          onVariant={(v) => {
            setVariant(v);
            void check(`${plan.repo}@${plan.revision}`, v);
          }}
          onDownload={() => void download()}
        />
      )}
      {persisted === false && <p className="hint">The browser did not promise to keep the cache: it may remove downloaded models when disk space runs low.</p>}
    </section>
  );
}
