// Where Hub models come from and the token gated repos need. The base URL (the Hub, a mirror or a
// local server) is `?hub=` when the page was opened with one, else what the user last typed (kept in
// localStorage: it is no secret), else https://huggingface.co. The token lives in this tab's memory
// only, unless the user ticks "remember on this device": then it goes to localStorage, and unticking
// removes it from there.

import { useState } from 'react';
import { DEFAULT_HUB } from '../hub/hub-api';

const BASE_KEY = 'alignscope.hub.baseUrl';
const TOKEN_KEY = 'alignscope.hub.token';

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage blocked (privacy settings): settings just aren't remembered
  }
}

function store(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* as above */
  }
}

function initialBaseUrl(): string {
  const fromUrl = typeof location === 'undefined' ? null : new URLSearchParams(location.search).get('hub');
  return fromUrl || stored(BASE_KEY) || DEFAULT_HUB;
}

/** Why a base URL cannot be used, or null when it can. */
export function baseUrlProblem(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? null : 'the base URL must start with https:// or http://';
  } catch {
    return `"${url}" is not a URL (e.g. ${DEFAULT_HUB})`;
  }
}

export interface HubSettings {
  baseUrl: string;
  token: string;
  remember: boolean;
  setBaseUrl(url: string): void;
  setToken(token: string): void;
  setRemember(remember: boolean): void;
}

export function useHubSettings(): HubSettings {
  const [baseUrl, setBase] = useState(initialBaseUrl);
  const [token, setTok] = useState(() => stored(TOKEN_KEY) ?? '');
  const [remember, setRem] = useState(() => stored(TOKEN_KEY) !== null);
  return {
    baseUrl,
    token,
    remember,
    setBaseUrl(url) {
      setBase(url);
      store(BASE_KEY, url.trim() && url.trim() !== DEFAULT_HUB ? url.trim() : null);
    },
    setToken(t) {
      setTok(t);
      if (remember) store(TOKEN_KEY, t);
    },
    setRemember(r) {
      setRem(r);
      store(TOKEN_KEY, r ? token : null);
    },
  };
}

export function HubSettingsFields({ settings, disabled }: { settings: HubSettings; disabled: boolean }) {
  const problem = baseUrlProblem(settings.baseUrl.trim());
  return (
    <div className="hub-settings">
      <label className="field">
        Hub base URL (the Hub, a mirror or a local server)
        <input type="url" value={settings.baseUrl} onChange={(e) => settings.setBaseUrl(e.target.value)} disabled={disabled} aria-label="Hub base URL" aria-invalid={problem !== null} placeholder={DEFAULT_HUB} />
        {problem && <span className="error note">{problem}</span>}
      </label>
      <label className="field">
        Access token (gated or private repos)
        <input type="password" value={settings.token} onChange={(e) => settings.setToken(e.target.value)} disabled={disabled} aria-label="Hugging Face token" autoComplete="off" placeholder="hf_…" />
      </label>
      <label className="choice">
        <input type="checkbox" checked={settings.remember} onChange={(e) => settings.setRemember(e.target.checked)} disabled={disabled} /> remember on this device
        <span className="note hint">
          {settings.remember
            ? 'The token is saved in this browser’s localStorage for this site until you untick this.'
            : 'The token is kept in this tab’s memory only and sent to the Hub with each request; it is gone when the tab closes.'}
        </span>
      </label>
    </div>
  );
}
