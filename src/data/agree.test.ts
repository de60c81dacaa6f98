import { describe, expect, it } from 'vitest';
import { CorpusFormatError } from '../errors';
import { readFlores } from './flores';
import { readJsonl } from './jsonl';
import { readCorpusFile } from './read';
import { SAMPLE_CORPUS, SAMPLE_LANGUAGES } from './sample';
import { readTsv, writeTsv } from './tsv';

// The same five tuples written by hand in each format, not through our writers, so a shared bug in
// writer and reader cannot hide.
const { tuples, ids } = SAMPLE_CORPUS;
const tsv = [['id', ...SAMPLE_LANGUAGES], ...tuples.map((t, i) => [ids![i], ...SAMPLE_LANGUAGES.map((l) => t[l])])]
  .map((cells) => cells.join('\t'))
  .join('\n');
const jsonl = tuples.map((t, i) => JSON.stringify({ id: ids![i], ...t })).join('\n') + '\n';
const floresFiles = SAMPLE_LANGUAGES.map((l) => ({ name: `${l}.txt`, text: tuples.map((t) => t[l]).join('\n') + '\n' }));

describe('the three readers agree', () => {
  it('read the same corpus from TSV, JSONL and a Flores-style folder', () => {
    const a = readTsv(tsv, 'sample.tsv');
    const b = readJsonl(jsonl, 'sample.jsonl');
    const c = readFlores(floresFiles);
    for (const r of [a, b, c]) {
      expect(r.problems).toEqual([]);
      expect(r.corpus.languages).toEqual(SAMPLE_LANGUAGES);
      expect(r.corpus.tuples).toEqual(tuples);
    }
    expect(a.corpus.ids).toEqual(ids);
    expect(b.corpus.ids).toEqual(ids);
    expect(c.corpus.ids).toEqual(['1', '2', '3', '4', '5']); // Flores: line numbers
  });

  it('agree on Flores-style codes in every format', () => {
    const codes: Record<string, string> = { en: 'eng_Latn', zh: 'zho_Hans', ja: 'jpn_Jpan', de: 'deu_Latn', fr: 'fra_Latn', es: 'spa_Latn', cs: 'ces_Latn', uk: 'ukr_Cyrl' };
    const rename = (t: Record<string, string>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [codes[k] ?? k, v]));
    const t = readTsv(tsv.replace(/^.*$/m, ['id', ...SAMPLE_LANGUAGES.map((l) => codes[l])].join('\t')));
    const j = readJsonl(tuples.map((x) => JSON.stringify(rename(x))).join('\n'));
    const f = readFlores(SAMPLE_LANGUAGES.map((l) => ({ name: `floresplus/devtest/${codes[l]}.devtest`, text: tuples.map((x) => x[l]).join('\n') })));
    const expected = tuples.map(rename);
    expect(t.corpus.tuples).toEqual(expected);
    expect(j.corpus.tuples).toEqual(expected);
    expect(f.corpus.tuples).toEqual(expected);
    expect(f.corpus.languages).toEqual(Object.values(codes));
    expect(j.corpus.ids).toBeUndefined();
  });

  it('writeTsv round-trips, and tolerates what editors add (BOM, CRLF, comments, blank lines)', () => {
    const written = writeTsv(SAMPLE_CORPUS);
    expect(readTsv(written)).toEqual({ corpus: SAMPLE_CORPUS, problems: [] });
    const messy = '\ufeff# exported by hand\r\n\r\n' + written.replace(/\n/g, '\r\n').replace('\r\ns3', '\r\n   \r\n# note\r\ns3');
    expect(readTsv(messy)).toEqual({ corpus: SAMPLE_CORPUS, problems: [] });
    const noIds = { languages: ['en', 'zh'], tuples: tuples.map((x) => ({ en: x.en, zh: x.zh })) };
    expect(readTsv(writeTsv(noIds)).corpus).toEqual(noIds);
  });

  it('readCorpusFile dispatches on the extension', () => {
    expect(readCorpusFile('data/Sample.TSV', tsv).corpus.tuples).toEqual(tuples);
    expect(readCorpusFile('sample.jsonl', jsonl).corpus.tuples).toEqual(tuples);
    expect(readCorpusFile('sample.ndjson', jsonl, { languages: ['zh', 'en'] }).corpus.languages).toEqual(['zh', 'en']);
    expect(() => readCorpusFile('x.tsv', 'en\tEN\n')).toThrow(CorpusFormatError);
  });

  it('readCorpusFile names the file and the formats it knows for anything else', () => {
    for (const name of ['eng_Latn.devtest', 'corpus.csv', 'README']) {
      const err = (() => {
        try {
          readCorpusFile(name, tsv);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(CorpusFormatError);
      expect((err as Error).message).toContain(name);
      expect((err as Error).message).toMatch(/\.tsv.*\.jsonl.*readFlores/s);
    }
  });
});
