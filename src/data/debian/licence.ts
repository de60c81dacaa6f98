// The licence of a Debian package, read from its usr/share/doc/<package>/copyright file.
//
// Machine-readable files (DEP-5: a first paragraph with "Format: .../copyright-format/1.0/") name
// the licence of most of the package in the paragraph whose Files field is "*": we take its License
// field's first line (the short name, e.g. "GPL-2+", "MPL-2.0"). Free-form files are prose: we look
// for the first well-known licence statement in the text and name it the DEP-5 way; when none is
// found the answer is "unknown (see file)", so a reader knows to look rather than trust a guess.

export const UNKNOWN_LICENCE = 'unknown (see file)';

/** DEP-5 paragraphs: blank-line separated, "Field: value" with indented continuation lines. */
function paragraphs(text: string): Record<string, string>[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) => {
      const fields: Record<string, string> = {};
      let last = '';
      for (const line of block.split('\n')) {
        const field = /^([A-Za-z][\w-]*):[ \t]*(.*)$/.exec(line);
        if (field) fields[(last = field[1].toLowerCase())] = field[2];
        else if (/^[ \t]/.test(line) && last) fields[last] += `\n${line.trim()}`;
      }
      return fields;
    });
}

// Earliest statement in the text wins; `+` when "or (at your option) any later version" follows.
const STATEMENTS: { pattern: RegExp; name: (m: RegExpExecArray) => string }[] = [
  { pattern: /GNU (?:Lesser|Library) General Public License[^.]{0,120}?version (2\.1|2|3)/i, name: (m) => `LGPL-${m[1]}` },
  { pattern: /GNU General Public License[^.]{0,120}?version (2|3)/i, name: (m) => `GPL-${m[1]}` },
  { pattern: /Mozilla Public License,? (?:v(?:ersion)?\.? ?)?(1\.1|2\.0)/i, name: (m) => `MPL-${m[1]}` },
  { pattern: /Creative Commons Attribution[- ]Share ?Alike (\d\.\d)/i, name: (m) => `CC-BY-SA-${m[1]}` },
  { pattern: /GNU Free Documentation License[^.]{0,120}?version (1\.\d)/i, name: (m) => `GFDL-${m[1]}` },
  { pattern: /Permission is hereby granted, free of charge/i, name: () => 'Expat' },
  { pattern: /\bGNU GPL\b/, name: () => 'GPL (version not stated)' },
];

function freeForm(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  let best: { at: number; name: string } | undefined;
  for (const { pattern, name } of STATEMENTS) {
    const m = pattern.exec(flat);
    if (!m || (best && best.at <= m.index)) continue;
    const later = /^[^.]{0,80}?(?:any later version|or later)/i.test(flat.slice(m.index + m[0].length));
    const base = name(m);
    best = { at: m.index, name: later && /^(?:L?GPL|GFDL)-/.test(base) ? `${base}+` : base };
  }
  return best?.name ?? UNKNOWN_LICENCE;
}

/** The licence a copyright file states for the package as a whole. */
export function readLicence(text: string): string {
  const body = text.replace(/^\ufeff/, '');
  const [head, ...rest] = paragraphs(body);
  if (head && /copyright-format\/1\.0/.test(head.format ?? '')) {
    const all = rest.find((p) => p.files !== undefined && p.files.split(/\s+/).includes('*'));
    const licence = all?.license?.split('\n')[0].trim();
    if (licence) return licence;
    // A DEP-5 file whose "Files: *" paragraph states no licence name still says it in prose.
  }
  return freeForm(body);
}
