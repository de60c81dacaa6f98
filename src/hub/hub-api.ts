// Talking to the Hugging Face Hub (or a mirror with the same routes): where a repo's files are,
// one authorised request with errors turned into typed ones, and the file listing of the tree API
// (`GET {base}/api/models/{repo}/tree/{revision}?recursive=true`), following `Link: <...>; rel="next"`
// pages. The token is sent as `Authorization: Bearer` and kept only in the options object the
// caller passes; nothing here stores it.

import { HubAuthError, HubRequestError } from '../errors';
import type { RepoId } from './repo-id';

export const DEFAULT_HUB = 'https://huggingface.co';

export interface HubOptions {
  /** The Hub or a mirror (default https://huggingface.co). */
  baseUrl?: string;
  /** An access token for gated or private repos; sent, never stored. */
  token?: string;
}

/** One file of a repo at a revision. `sha256` is the LFS oid (large files); `gitOid` the git blob id (small ones). */
export interface HubFile {
  path: string;
  size: number;
  sha256?: string;
  gitOid?: string;
}

interface TreeEntry {
  type?: string;
  path?: string;
  size?: number;
  oid?: string;
  lfs?: { oid?: string; size?: number };
}

function base(opts: HubOptions): string {
  return (opts.baseUrl ?? DEFAULT_HUB).replace(/\/+$/, '');
}

function revisionPath(revision: string): string {
  return encodeURIComponent(revision);
}

export function treeUrl(id: RepoId, opts: HubOptions): string {
  return `${base(opts)}/api/models/${id.repo}/tree/${revisionPath(id.revision)}?recursive=true`;
}

/** The download URL of a file; the Hub answers it with a redirect to its CDN for LFS files. */
export function resolveUrl(id: RepoId, path: string, opts: HubOptions): string {
  return `${base(opts)}/${id.repo}/resolve/${revisionPath(id.revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** A GET with the token; redirects followed; 401/403 -> HubAuthError, other failures -> HubRequestError. */
export async function hubFetch(url: string, id: RepoId, opts: HubOptions, headers: Record<string, string> = {}): Promise<Response> {
  const h: Record<string, string> = { ...headers };
  if (opts.token) h.Authorization = `Bearer ${opts.token}`;
  let r: Response;
  try {
    // Tried twice: a kept-alive connection the server closed while idle fails before any answer
    // (Node's fetch does not retry that itself), and a GET is safe to send again.
    r = await fetch(url, { headers: h, redirect: 'follow' }).catch(() => fetch(url, { headers: h, redirect: 'follow' }));
  } catch (e) {
    throw new HubRequestError(`Could not reach ${url}: ${(e as Error).message}. Check the network, or the Hub address (a mirror goes in the base URL setting).`, { url, repo: id.repo });
  }
  if (r.status === 401 || r.status === 403) {
    await r.body?.cancel();
    const why = opts.token ? 'the token given was refused: check that it is valid and that you accepted the conditions on the repo page' : 'give an access token (huggingface.co/settings/tokens) after accepting the conditions on the repo page';
    throw new HubAuthError(`${id.repo} is gated or private (the Hub answered ${r.status}): ${why}.`, { repo: id.repo, status: r.status, url });
  }
  if (!r.ok) {
    await r.body?.cancel();
    const hint = r.status === 404 ? `check the repo id and revision "${id.revision}"` : 'try again later';
    throw new HubRequestError(`${url} answered ${r.status} ${r.statusText}: ${hint}.`, { url, repo: id.repo, status: r.status });
  }
  return r;
}

/** The `rel="next"` target of a Link header, if any. */
export function nextLink(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (m && /\brel\s*=\s*"?next"?/.test(m[2])) return m[1];
  }
  return null;
}

/** Every file of the repo at the revision (directories left out), across all pages of the tree API. */
export async function listRepoFiles(id: RepoId, opts: HubOptions = {}): Promise<HubFile[]> {
  const out: HubFile[] = [];
  let url: string | null = treeUrl(id, opts);
  for (let page = 0; url; page++) {
    if (page > 10_000) throw new HubRequestError(`${id.repo}'s file listing did not end after 10,000 pages.`, { repo: id.repo });
    const r = await hubFetch(url, id, opts, { Accept: 'application/json' });
    let entries: TreeEntry[];
    try {
      entries = (await r.json()) as TreeEntry[];
    } catch (e) {
      throw new HubRequestError(`${url} did not answer JSON (${(e as Error).message}); is the base URL a Hub?`, { url, repo: id.repo });
    }
    if (!Array.isArray(entries)) throw new HubRequestError(`${url} answered something other than a list of files; is the base URL a Hub?`, { url, repo: id.repo });
    for (const e of entries) {
      if (e.type === 'directory' || typeof e.path !== 'string') continue;
      out.push({ path: e.path, size: e.lfs?.size ?? e.size ?? 0, sha256: e.lfs?.oid, gitOid: e.lfs ? undefined : e.oid });
    }
    const next = nextLink(r.headers.get('link'));
    url = next ? new URL(next, url).toString() : null;
  }
  return out;
}
