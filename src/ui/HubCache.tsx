// The Hub models in this browser's cache: repo@revision, format, bytes on disk against the whole
// model, complete or partial. A complete one loads with no network at all; a partial one resumes
// its download; either can be deleted, which removes its folder from OPFS, except the loaded model,
// whose files the engine reads again (re-upload after a device loss, the base weights after
// training). The list is read from the
// engine worker (which owns the cache) when the panel opens and after every load or delete, and the
// browser's own storage figures (navigator.storage.estimate) are shown beside it.

import { useEffect, useState } from 'react';
import { formatBytes } from '../gpu/adapter-report';
import type { CachedModel } from '../hub/cache';
import type { EngineApi, HubSourceSpec } from '../worker/engine';
import { ErrorBox } from './ErrorBox';
import type { HubSettings } from './HubSettings';

interface Props {
  engine: Pick<EngineApi, 'listHubCache' | 'deleteHubModel'>;
  settings: HubSettings;
  busy: boolean;
  /** The loaded model's name (`hub:owner/name@revision` for a Hub model), or null. */
  loadedName: string | null;
  onLoad: (source: HubSourceSpec) => Promise<boolean>;
}

type Usage = { usage: number; quota: number } | null;

async function storageUsage(): Promise<Usage> {
  const e = await navigator.storage?.estimate?.().catch(() => undefined);
  return e?.usage !== undefined && e.quota !== undefined ? { usage: e.usage, quota: e.quota } : null;
}

export function HubCache({ engine, settings, busy, loadedName, onLoad }: Props) {
  const [models, setModels] = useState<CachedModel[] | null>(null);
  const [usage, setUsage] = useState<Usage>(null);
  const [error, setError] = useState<{ name: string; message: string } | null>(null);
  const [working, setWorking] = useState(false);

  const refresh = async (list?: Promise<CachedModel[]>) => {
    try {
      setModels(await (list ?? engine.listHubCache()));
      setUsage(await storageUsage());
    } catch (e) {
      setError({ name: (e as Error).name, message: (e as Error).message });
    }
  };
  // Each load may have added or completed a model.
  useEffect(() => {
    if (!busy) void refresh();
  }, [busy]);

  const remove = async (id: string) => {
    setError(null);
    setWorking(true);
    await refresh(engine.deleteHubModel(id));
    setWorking(false);
  };

  return (
    <section className="card" aria-labelledby="hub-cache-title" data-testid="hub-cache">
      <h3 id="hub-cache-title">Downloaded models</h3>
      {models === null ? (
        <p className="hint">Reading the browser cache…</p>
      ) : models.length === 0 ? (
        <p className="hint">No Hub model in this browser’s cache yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Model</th>
              <th>Format</th>
              <th>Size</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {models.map((m) => {
              const id = `${m.repo}@${m.revision}`;
              const loaded = loadedName === `hub:${id}`;
              return (
                <tr key={id} data-testid="hub-cache-row">
                  <td>
                    <code>{id}</code>
                  </td>
                  <td>{m.format}</td>
                  <td>{m.complete ? formatBytes(m.totalBytes) : `${formatBytes(m.bytes)} of ${formatBytes(m.totalBytes)}`}</td>
                  <td>
                    {m.complete ? 'complete' : `partial (${Math.floor((100 * m.bytes) / Math.max(1, m.totalBytes))}%)`}
                    {loaded && ', loaded'}
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      className="small"
                      disabled={busy || working}
                      aria-label={`${m.complete ? 'Load' : 'Resume'} ${id}`}
                      title={m.complete ? 'Loads from the cache with no network' : 'Downloads the missing bytes from the Hub base URL set above, then loads'}
                      onClick={() => void onLoad({ kind: 'hub', id, baseUrl: settings.baseUrl.trim(), token: settings.token.trim() || undefined })}
                    >
                      {m.complete ? 'Load' : 'Resume'}
                    </button>{' '}
                    <button
                      type="button"
                      className="secondary small"
                      disabled={busy || working || loaded}
                      aria-label={`Delete ${id}`}
                      title={loaded ? 'Load another model first: the loaded one reads its files from the cache again (after a GPU device loss, or for its base weights after training)' : 'Removes its files from this browser'}
                      onClick={() => void remove(id)}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {usage && (
        <p className="hint" data-testid="hub-cache-usage">
          This site uses {formatBytes(usage.usage)} of the {formatBytes(usage.quota)} the browser allows it.
        </p>
      )}
      {error && <ErrorBox error={error} testId="hub-cache-error" />}
    </section>
  );
}
