// Licences read from real copyright files (fixtures: cheese-common's DEP-5 file, cut after its
// "Files: *" paragraph, and eog's free-form one, as Debian 12 ships them) and from hand-written ones.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readLicence, UNKNOWN_LICENCE } from './licence';

const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

describe('readLicence', () => {
  it('DEP-5: the License of the "Files: *" paragraph', () => {
    expect(readLicence(fixture('cheese-common.copyright'))).toBe('GPL-2+');
    const dep5 = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: debian/*\nLicense: GPL-3+\n\nFiles: src/* *\nCopyright: 2020 A\nLicense: MPL-2.0\n See /usr/share/common-licenses/MPL-2.0.\n';
    expect(readLicence(dep5)).toBe('MPL-2.0');
  });

  it('free-form: the first licence statement, with + for "any later version"', () => {
    expect(readLicence(fixture('eog.copyright'))).toBe('GPL-2+');
    expect(readLicence('This library is free software; you can redistribute it under the terms of the GNU Lesser General Public License as published by the FSF; either version 2.1 of the License, or (at your option) any later version.')).toBe('LGPL-2.1+');
    expect(readLicence('Permission is hereby granted, free of charge, to any person obtaining a copy')).toBe('Expat');
    expect(readLicence('These pages may be used under the same terms as the originals.')).toBe(UNKNOWN_LICENCE);
  });
});
