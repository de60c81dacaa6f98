// What makes a rebuild of the Debian corpus differ from the committed one: the build compares the
// packages it got with manifest.json's, and npm run build:corpus:debian prints these lines under
// CHANGED and exits with status 2 when there are any (issue 12: rebuild byte-identically, or say
// which package version changed).

import type { PackageRecord } from './write';

/**
 * One line per difference between the committed packages and this build's, in build order then
 * manifest order: another version, the same version with another .deb sha256, a package the
 * manifest does not have, or one it has that the build no longer takes. Empty when nothing changed
 * (and when there is no committed manifest: a first build has nothing to compare with).
 */
export function packageChanges(committed: readonly PackageRecord[], built: readonly PackageRecord[]): string[] {
  if (committed.length === 0) return [];
  const pinned = new Map(committed.map((p) => [p.name, p]));
  const lines: string[] = [];
  for (const p of built) {
    const old = pinned.get(p.name);
    if (!old) lines.push(`${p.name}: not in the manifest (new in the package list), got ${p.version}`);
    else if (old.version !== p.version) lines.push(`${p.name}: manifest has ${old.version}, the archive offers ${p.version}`);
    else if (old.sha256 !== p.sha256) lines.push(`${p.name} ${p.version}: sha256 ${p.sha256} differs from the manifest's ${old.sha256}`);
  }
  const names = new Set(built.map((p) => p.name));
  for (const p of committed) if (!names.has(p.name)) lines.push(`${p.name}: in the manifest (${p.version}) but no longer in the package list`);
  return lines;
}

/** Files whose uncompressed sha256 (manifest.files) differs between the committed build and this one, or that only one has. */
export function fileChanges(committed: Readonly<Record<string, string>>, built: Readonly<Record<string, string>>): string[] {
  const names = [...new Set([...Object.keys(committed), ...Object.keys(built)])];
  return names.filter((f) => committed[f] !== built[f]);
}
