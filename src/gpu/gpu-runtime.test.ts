import { describe, expect, it } from 'vitest';
import { formatBytes } from './adapter-report';
import { bucketBytes } from './buffer-pool';
import { pipelineKey } from './pipeline-cache';

describe('buffer pool buckets', () => {
  it('rounds to powers of two up to 64 KiB, then to eighths of the octave', () => {
    expect(bucketBytes(1)).toBe(256);
    expect(bucketBytes(1000)).toBe(1024);
    expect(bucketBytes(65536)).toBe(65536);
    expect(bucketBytes(65537)).toBe(65536 + 8192);
    for (const n of [70_000, 1_000_000, 123_456_789]) {
      const b = bucketBytes(n);
      expect(b).toBeGreaterThanOrEqual(n);
      expect(b / n).toBeLessThanOrEqual(1.125 + 1e-9);
      expect(b % 4).toBe(0);
    }
  });
});

describe('pipeline keys', () => {
  it('name kernel, entry, source and constants, independent of constant order', () => {
    const spec = { kernel: 'matmul', code: 'x', entryPoint: 'main' };
    expect(pipelineKey({ ...spec, constants: { A: 1, B: 2 } })).toBe(pipelineKey({ ...spec, constants: { B: 2, A: 1 } }));
    expect(pipelineKey({ ...spec, constants: { A: 1 } })).not.toBe(pipelineKey({ ...spec, constants: { A: 2 } }));
    expect(pipelineKey(spec)).not.toBe(pipelineKey({ ...spec, code: 'y' }));
    expect(pipelineKey(spec)).toMatch(/^matmul\.main#[0-9a-f]{8}\[\]$/);
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(1 << 30)).toBe('1.00 GiB');
  });
});
