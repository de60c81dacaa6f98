import { describe, expect, it } from 'vitest';
import { fnv1a, stableJson } from './fingerprint';

describe('fingerprints', () => {
  it('FNV-1a: 8 hex digits, part boundaries matter', () => {
    expect(fnv1a(['ab', 'c'])).toMatch(/^[0-9a-f]{8}$/);
    expect(fnv1a(['ab', 'c'])).toBe(fnv1a(['ab', 'c']));
    expect(fnv1a(['ab', 'c'])).not.toBe(fnv1a(['a', 'bc']));
  });

  it('stableJson ignores key order and undefined fields, keeps array order', () => {
    expect(stableJson({ b: 1, a: [2, { d: 'x', c: null }], u: undefined })).toBe('{"a":[2,{"c":null,"d":"x"}],"b":1}');
    expect(stableJson([1, 2])).not.toBe(stableJson([2, 1]));
  });
});
