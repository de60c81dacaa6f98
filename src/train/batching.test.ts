import { describe, expect, it } from 'vitest';
import { TrainConfigError } from '../errors';
import { byteLevelTokenizerJson } from '../model/byte-tokenizer';
import { Tokenizer } from '../model/tokenizer';
import { BatchSampler, type Batch, type MixConfig, type ParallelTuple } from './batching';
import { DEFAULT_TAGS_TEMPLATE } from './template';

// Byte-level: id = UTF-8 byte; then <s> 256, </s> 257, <en> 258, <zh> 259, <cs> 260, <sep> 261.
const tok = Tokenizer.fromJson(byteLevelTokenizerJson(['<s>', '</s>', '<en>', '<zh>', '<cs>', '<sep>']), { bos_token: '<s>', eos_token: '</s>', add_bos_token: true });
const BOS = 256, EOS = 257, EN = 258, ZH = 259, SEP = 261;
const T0 = DEFAULT_TAGS_TEMPLATE;

const corpus: ParallelTuple[] = Array.from({ length: 6 }, (_, i) => ({ en: `sentence ${i}`, zh: `句子${i}`, ...(i % 2 === 0 ? { cs: `věta ${i}` } : {}) }));
const pairs = [['en', 'zh'], ['en', 'cs']] as const;
const MIX: MixConfig = { ntpFraction: 0.25, directions: 'both' };
const plain = (b: Batch) => ({ ...b, ids: [...b.ids], targets: [...b.targets], weights: [...b.weights], ntpWeights: [...b.ntpWeights], mapWeights: [...b.mapWeights] });
const run = (s: BatchSampler, n: number, B = 4) => Array.from({ length: n }, () => plain(s.next(B)));

describe('BatchSampler', () => {
  it('is deterministic by seed', () => {
    expect(run(new BatchSampler(corpus, pairs, MIX, tok, T0, 11), 10)).toEqual(run(new BatchSampler(corpus, pairs, MIX, tok, T0, 11), 10));
    expect(run(new BatchSampler(corpus, pairs, MIX, tok, T0, 11), 10)).not.toEqual(run(new BatchSampler(corpus, pairs, MIX, tok, T0, 12), 10));
  });

  it('restored from a saved state continues identically, across epoch boundaries', () => {
    const a = new BatchSampler(corpus, pairs, MIX, tok, T0, 3);
    run(a, 7);
    const saved = JSON.parse(JSON.stringify(a.state()));
    const rest = run(a, 12);
    expect(a.progress().mapEpoch).toBeGreaterThan(1);
    expect(run(BatchSampler.restore(corpus, pairs, MIX, tok, T0, saved), 12)).toEqual(rest);
    // The same settings written in another key order, with maxLength spelled out at its default, still match.
    const reordered = { maxLength: 512, directions: 'both', ntpFraction: 0.25 } as const;
    const T1 = { lossOn: 'target', sep: '<sep>', tagFormat: '<{lang}>', kind: 'tags' } as const;
    expect(run(BatchSampler.restore(corpus, pairs, reordered, tok, T1, saved), 12)).toEqual(rest);
    const other = corpus.map((t) => ({ ...t, en: t.en + '!' }));
    expect(() => BatchSampler.restore(other, pairs, MIX, tok, T0, saved)).toThrow(TrainConfigError);
    expect(() => BatchSampler.restore(corpus, pairs, { ...MIX, ntpFraction: 0.5 }, tok, T0, saved)).toThrow(/another corpus/);
  });

  it('aligns targets and weights on a hand example, with padding and per-kind weights', () => {
    const s = new BatchSampler([{ en: 'Hi', zh: '你' }], [['en', 'zh']], { ntpFraction: 0.5, directions: 'forward' }, tok, T0, 1);
    const b = s.next(2);
    // Row 0 is mapping (error diffusion puts NTP second), row 1 NTP of 'Hi' or '你'.
    expect(b.kinds).toEqual(['map', 'ntp']);
    expect(b.directions[0]).toBe('en->zh');
    expect(b.T).toBe(10);
    expect([...b.ids.slice(0, 10)]).toEqual([BOS, EN, 72, 105, SEP, ZH, 228, 189, 160, EOS]);
    expect([...b.targets.slice(0, 10)]).toEqual([EN, 72, 105, SEP, ZH, 228, 189, 160, EOS, 0]);
    expect([...b.weights.slice(0, 10)]).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 0]);
    expect([...b.mapWeights.slice(0, 10)]).toEqual([...b.weights.slice(0, 10)]);
    expect([...b.ntpWeights.slice(0, 10)]).toEqual(new Array(10).fill(0));
    const ntp = b.directions[1] === 'en' ? [BOS, 72, 105, EOS] : [BOS, 228, 189, 160, EOS];
    const L = ntp.length;
    expect(b.lengths).toEqual([10, L]);
    expect([...b.ids.slice(10, 20)]).toEqual([...ntp, ...new Array(10 - L).fill(0)]);
    expect([...b.targets.slice(10, 20)]).toEqual([...ntp.slice(1), ...new Array(11 - L).fill(0)]);
    expect([...b.ntpWeights.slice(10, 20)]).toEqual([...new Array(L - 1).fill(1), ...new Array(11 - L).fill(0)]);
    expect([...b.mapWeights.slice(10, 20)]).toEqual(new Array(10).fill(0));
    for (let i = 0; i < 20; i++) expect(b.ntpWeights[i] + b.mapWeights[i]).toBe(b.weights[i]);
    expect(b.weightSums).toEqual({ map: 4, ntp: L - 1 });
  });

  it('walks every mapping candidate once per epoch, both directions', () => {
    const s = new BatchSampler(corpus, pairs, { ntpFraction: 0, directions: 'both' }, tok, T0, 5);
    const M = 6 * 2 + 3 * 2; // en-zh in 6 tuples, en-cs in 3, two directions each
    const seen = Array.from({ length: M }, () => s.next(1)).map((b) => `${b.directions[0]}:${b.ids.slice(0, b.lengths[0]).join(',')}`);
    expect(new Set(seen).size).toBe(M);
    const dirs = seen.map((x) => x.split(':')[0]);
    for (const d of ['en->zh', 'zh->en', 'en->cs', 'cs->en']) expect(dirs.filter((x) => x === d).length).toBe(d.includes('cs') ? 3 : 6);
    const fwd = new BatchSampler(corpus, pairs, { ntpFraction: 0, directions: 'forward' }, tok, T0, 5);
    expect(new Set(run(fwd, 10).flatMap((b) => b.directions))).toEqual(new Set(['en->zh', 'en->cs']));
  });

  it('respects ntpFraction over many batches, and the extremes 0 and 1', () => {
    for (const f of [0.1, 0.3, 0.5, 0.9]) {
      const s = new BatchSampler(corpus, pairs, { ntpFraction: f, directions: 'both' }, tok, T0, 9);
      const kinds = run(s, 100, 8).flatMap((b) => b.kinds);
      expect(Math.abs(kinds.filter((k) => k === 'ntp').length - f * 800)).toBeLessThanOrEqual(1);
    }
    expect(run(new BatchSampler(corpus, pairs, { ntpFraction: 0, directions: 'both' }, tok, T0, 1), 5).flatMap((b) => b.kinds)).not.toContain('ntp');
    const all = run(new BatchSampler(corpus, pairs, { ntpFraction: 1, directions: 'both' }, tok, T0, 1), 5);
    expect(all.flatMap((b) => b.kinds)).not.toContain('map');
    expect(new Set(all.flatMap((b) => b.directions))).toEqual(new Set(['en', 'zh', 'cs']));
  });

  it('truncates NTP examples and drops mapping examples longer than maxLength', () => {
    const long = [{ en: 'a'.repeat(30), zh: 'b' }, { en: 'c', zh: 'd' }];
    const s = new BatchSampler(long, [['en', 'zh']], { ntpFraction: 0, directions: 'both', maxLength: 12 }, tok, T0, 2);
    const b = run(s, 8, 1);
    expect(b.every((x) => x.lengths[0] <= 12)).toBe(true);
    expect(b.every((x) => x.ids.slice(0, x.lengths[0]).includes(99))).toBe(true); // every row is the short tuple ('c' = 99)
    // 8 short examples span 4 epochs: the long tuple's 2 directions were skipped in the first 3, and 0-2 times in the 4th.
    expect(s.progress().skipped).toBeGreaterThanOrEqual(6);
    expect(s.progress().skipped).toBeLessThanOrEqual(8);
    const n = new BatchSampler(long, [['en', 'zh']], { ntpFraction: 1, directions: 'both', maxLength: 12 }, tok, T0, 2);
    const lens = run(n, 8, 1).map((x) => x.lengths[0]);
    expect(Math.max(...lens)).toBe(12);
    const tooLong = new BatchSampler([long[0]], [['en', 'zh']], { ntpFraction: 0, directions: 'both', maxLength: 12 }, tok, T0, 2);
    expect(() => tooLong.next(1)).toThrow(/longer than maxLength/);
  });

  it('refuses settings that cannot work', () => {
    expect(() => new BatchSampler(corpus, pairs, { ntpFraction: 1.5, directions: 'both' }, tok, T0, 1)).toThrow(/ntpFraction/);
    expect(() => new BatchSampler(corpus, [['en', 'ja']], MIX, tok, T0, 1)).toThrow(/no sentence with both en and ja/);
    // NTP-only training (pre-training on one-language rows) needs no pair the corpus covers.
    const oneLanguage = new BatchSampler([{ en: 'a' }, { ja: 'b' }], [['en', 'ja']], { ntpFraction: 1, directions: 'both' }, tok, T0, 1);
    expect(new Set(run(oneLanguage, 4, 2).flatMap((b) => b.directions))).toEqual(new Set(['en', 'ja']));
    expect(() => new BatchSampler(corpus, [], MIX, tok, T0, 1)).toThrow(TrainConfigError);
    expect(() => new BatchSampler(corpus, [['en', 'en']], MIX, tok, T0, 1)).toThrow(/itself/);
    expect(() => new BatchSampler(corpus, pairs, { ...MIX, maxLength: 1 }, tok, T0, 1)).toThrow(/maxLength/);
    expect(() => new BatchSampler(corpus, pairs, MIX, tok, T0, 1).next(0)).toThrow(/Batch size/);
  });
});
