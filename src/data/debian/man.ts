// Plain text paragraphs from a manual page in roff (man macros), for monolingual text.
//
// Not a roff interpreter: requests (lines starting with "." or "'") end a paragraph and are dropped,
// except the font macros (.B .I .BR .IR ...) whose arguments are running text; escapes for fonts,
// sizes and special characters are removed or replaced by their character. Tables (.TS/.TE) and
// examples (.nf/.fi, .EX/.EE) are skipped whole: they are not prose.

const FONT_MACROS = /^\.(?:B|I|BI|BR|IB|IR|RB|RI|SM|SB)\s+(.*)$/;
const SPECIAL: Record<string, string> = { em: '—', en: '–', hy: '-', aq: "'", dq: '"', lq: '“', rq: '”', oq: '‘', cq: '’', bu: '•', co: '©', rg: '®', tm: '™', mu: '×', de: '°', '>=': '≥', '<=': '≤', ti: '~', ha: '^', rs: '\\' };

/** One line of roff text with its escapes resolved. */
function unescape(line: string): string {
  return line
    .replace(/\\\((..)/g, (_, name: string) => SPECIAL[name] ?? '')
    .replace(/\\\[([^\]]*)\]/g, (_, name: string) => SPECIAL[name] ?? '')
    .replace(/\\f(?:\[[^\]]*\]|\(..|.)/g, '')
    .replace(/\\s[-+]?\d/g, '')
    .replace(/\\\*(?:\(..|\[[^\]]*\]|.)/g, '')
    .replace(/\\[&|^%]/g, '')
    .replace(/\\[-e]/g, (e) => (e === '\\-' ? '-' : '\\'))
    .replace(/\\(.)/g, '$1');
}

/** Paragraphs of running text (one string each, whitespace collapsed). */
export function manParagraphs(roff: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let skipping = false;
  const flush = (): void => {
    const text = current.join(' ').replace(/\s+/g, ' ').trim();
    if (text) out.push(text);
    current = [];
  };
  for (const raw of roff.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\.\s*(?:TS|nf|EX)\b/.test(raw)) {
      flush();
      skipping = true;
    } else if (/^\.\s*(?:TE|fi|EE)\b/.test(raw)) skipping = false;
    else if (skipping) continue;
    else if (raw.startsWith('.\\"') || raw.startsWith("'\\\"")) continue;
    else if (FONT_MACROS.test(raw)) current.push(unescape(FONT_MACROS.exec(raw)![1].replace(/"/g, '')));
    else if (/^[.']/.test(raw) || raw.trim() === '') flush();
    else current.push(unescape(raw));
  }
  flush();
  return out;
}
