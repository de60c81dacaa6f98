import { describe, expect, it } from 'vitest';
import { packLines, pretrainingLines } from './pretraining';

const mono = { de: ['d1', 'd2', 'd3', 'd4', ''], cs: ['c1', 'c2'] };
const everydayTrain = [{ de: 'Hallo', cs: 'Ahoj', en: 'Hello' }];

describe('pretrainingLines', () => {
  it('keeps the same number of mono lines in every language (the smallest), plus the everyday train split repeated', () => {
    const { lines, linesPerLanguage } = pretrainingLines({ mono, everydayTrain, everydayRepeats: 3, seed: 1 });
    expect(linesPerLanguage).toBe(2);
    expect(Object.keys(lines)).toEqual(['cs', 'de']);
    expect(lines.cs.filter((l) => l === 'Ahoj')).toHaveLength(3);
    expect(lines.de.filter((l) => l === 'Hallo')).toHaveLength(3);
    expect(lines.de).toHaveLength(5);
    expect(lines.de.filter((l) => l.startsWith('d')).every((l) => mono.de.includes(l))).toBe(true);
    expect(lines.de).not.toContain('');
  });

  it('is deterministic by seed, and another seed picks or orders differently', () => {
    const big = { de: Array.from({ length: 50 }, (_, i) => `d${i}`), cs: Array.from({ length: 20 }, (_, i) => `c${i}`) };
    const a = pretrainingLines({ mono: big, everydayTrain: [], everydayRepeats: 1, seed: 1 });
    expect(pretrainingLines({ mono: big, everydayTrain: [], everydayRepeats: 1, seed: 1 })).toEqual(a);
    expect(pretrainingLines({ mono: big, everydayTrain: [], everydayRepeats: 1, seed: 2 }).lines.de).not.toEqual(a.lines.de);
    expect(a.lines.de).toHaveLength(20);
  });

  it('says what to run when there is no monolingual text', () => {
    expect(() => pretrainingLines({ mono: {}, everydayTrain, everydayRepeats: 1, seed: 1 })).toThrow(/build:corpus:debian/);
  });
});

describe('packLines', () => {
  // A token per character: "abc" is 3 tokens, 5 with BOS and EOS.
  const tokens = (s: string) => s.length;

  it('joins lines of one language while BOS + line + EOS of each fits the row, never mixing languages', () => {
    const rows = packLines({ de: ['abc', 'de', 'fghij', 'k'], cs: ['xy'] }, tokens, 10);
    expect(rows).toEqual([{ de: 'abc</s><s>de' }, { de: 'fghij</s><s>k' }, { cs: 'xy' }]);
  });

  it('leaves a line longer than the row alone (the sampler truncates it)', () => {
    expect(packLines({ en: ['a', 'bcdefghijklmnop', 'q'] }, tokens, 8)).toEqual([{ en: 'a' }, { en: 'bcdefghijklmnop' }, { en: 'q' }]);
  });
});
