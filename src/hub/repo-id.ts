// Hugging Face Hub repo ids as users type them: `owner/name` or `owner/name@revision` (a branch, tag,
// commit or `refs/pr/N`); the revision is `main` unless given. Owner and name follow the Hub's rules
// (letters, digits, `-`, `_`, `.`; no `--` or `..`, not starting or ending with `-` or `.`).

import { HubRepoIdError } from '../errors';

export interface RepoId {
  /** `owner/name`. */
  repo: string;
  revision: string;
}

const PART = /^(?![-.])(?!.*(--|\.\.))[A-Za-z0-9._-]{1,96}(?<![-.])$/;
const REVISION = /^[A-Za-z0-9._\-/]{1,255}$/;

export function parseRepoId(id: string): RepoId {
  const text = id.trim().replace(/^hub:/, '');
  const at = text.indexOf('@');
  const repo = at < 0 ? text : text.slice(0, at);
  const revision = at < 0 ? 'main' : text.slice(at + 1);
  const parts = repo.split('/');
  const fail = (why: string) => new HubRepoIdError(`"${id}" is not a Hugging Face repo id: ${why}. Write owner/name or owner/name@revision, e.g. Qwen/Qwen2.5-0.5B-Instruct@main.`, { id });
  if (parts.length !== 2) throw fail(`expected one "/" between owner and name`);
  for (const p of parts) if (!PART.test(p)) throw fail(`"${p}" may hold only letters, digits, "-", "_" and "." (no "--" or "..", not at either end)`);
  if (!REVISION.test(revision) || revision.split('/').some((s) => s === '' || s === '..')) throw fail(`"${revision}" is not a revision (a branch, tag or commit)`);
  return { repo, revision };
}

export function formatRepoId(id: RepoId): string {
  return `${id.repo}@${id.revision}`;
}
