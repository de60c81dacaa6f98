// The rebuild check of npm run build:corpus:debian, without network: committed vs built packages.

import { describe, expect, it } from 'vitest';
import { fileChanges, packageChanges } from './changes';
import type { PackageRecord } from './write';

const pkg = (name: string, version: string, sha256 = `sha-${name}-${version}`): PackageRecord => ({ name, version, file: `${name}_${version}_all.deb`, sha256, licence: 'GPL-2+' });

describe('packageChanges', () => {
  const committed = [pkg('eog', '43.2-1'), pkg('gimp-data', '2.10.34-1'), pkg('orca', '43.1-1')];

  it('is empty when every version and sha256 matches, and on a first build', () => {
    expect(packageChanges(committed, committed.map((p) => ({ ...p })))).toEqual([]);
    expect(packageChanges([], committed)).toEqual([]);
  });

  it('names a changed version, a changed .deb, and packages added to or dropped from the list', () => {
    const built = [pkg('eog', '43.2-1+deb12u1'), pkg('gimp-data', '2.10.34-1', 'other'), pkg('zenity-common', '3.44.0-1')];
    expect(packageChanges(committed, built)).toEqual([
      'eog: manifest has 43.2-1, the archive offers 43.2-1+deb12u1',
      "gimp-data 2.10.34-1: sha256 other differs from the manifest's sha-gimp-data-2.10.34-1",
      'zenity-common: not in the manifest (new in the package list), got 3.44.0-1',
      'orca: in the manifest (43.1-1) but no longer in the package list',
    ]);
  });

  it('fileChanges lists files with another sha256 and files only one build has', () => {
    expect(fileChanges({ 'a.tsv.gz': '1', 'b.tsv.gz': '2' }, { 'a.tsv.gz': '1', 'b.tsv.gz': '2' })).toEqual([]);
    expect(fileChanges({ 'a.tsv.gz': '1', 'b.tsv.gz': '2', 'old.tsv': '3' }, { 'a.tsv.gz': '1', 'b.tsv.gz': '9', 'new.tsv.gz': '4' })).toEqual(['b.tsv.gz', 'old.tsv', 'new.tsv.gz']);
  });
});
