import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// House rule: every kernel file opens with a header naming its bindings with shapes, what one
// invocation computes, and the dispatch grid; the header must match the bindings declared below it.
const dir = new URL('../../shaders/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.wgsl'));

describe('shaders/*.wgsl headers', () => {
  it('has kernels', () => expect(files.length).toBeGreaterThanOrEqual(5));
  for (const f of files) {
    it(f, () => {
      const text = readFileSync(new URL(f, dir), 'utf8');
      const header = text.slice(0, text.search(/^[^/\n]/m));
      expect(header.startsWith(`// ${f.replace('.wgsl', '')} `)).toBe(true);
      expect(header).toMatch(/Bindings/);
      expect(header).toMatch(/[Gg]rid/);
      expect(header).toMatch(/invocation|workgroup/i);
      const declared = [...text.matchAll(/@binding\((\d+)\)\s+var(?:<[^>]+>)?\s+(\w+)/g)].map((m) => [Number(m[1]), m[2]] as const);
      expect(declared.length).toBeGreaterThan(0);
      for (const [binding, name] of declared) expect(header).toMatch(new RegExp(`//\\s+${binding}\\s+\\w+.*\\b${name}\\s*:`));
    });
  }
});
