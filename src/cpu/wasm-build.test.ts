// The committed .wasm files are exactly what the sources build to (npm run build:wasm). A missing
// toolchain fails this test with the fix (npm run setup installs clang-14 and lld-14).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWasm, FLAVORS, WASM_DIR, type Flavor } from '../../scripts/build-wasm';

describe('committed CPU kernels', () => {
  it('are byte-identical to a fresh build of src/cpu/kernels', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-check-'));
    try {
      const built = buildWasm(dir);
      for (const flavor of Object.keys(FLAVORS) as Flavor[]) {
        const fresh = readFileSync(built[flavor]);
        const committed = readFileSync(join(WASM_DIR, `kernels-${flavor}.wasm`));
        expect(fresh.equals(committed), `src/cpu/wasm/kernels-${flavor}.wasm is stale: run npm run build:wasm and commit it`).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
