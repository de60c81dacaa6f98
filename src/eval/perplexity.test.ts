import { describe, expect, it } from 'vitest';
import { perplexityReport } from './perplexity';

describe('perplexityReport', () => {
  it('bits per character: total NLL over code points, in bits', () => {
    // 2 sentences, 3 + 2 code points ('猫' is one code point, '𝄞' one too though two UTF-16 units).
    const r = perplexityReport(['猫ab', '𝄞c'], { perplexity: Math.exp(1.5), nll: 1.5, tokens: 4 });
    expect(r.characters).toBe(5);
    expect(r.tokens).toBe(4);
    expect(r.perplexity).toBeCloseTo(Math.exp(1.5), 12);
    expect(r.bitsPerCharacter).toBeCloseTo((1.5 * 4) / Math.LN2 / 5, 12);
  });
});
