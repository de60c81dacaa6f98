// npm run build:wasm — compiles the CPU route's kernels (src/cpu/kernels/*.c) into the committed
// src/cpu/wasm/kernels-{simd,relaxed}[-mt].wasm with Debian's clang 14 and wasm-ld 14 (npm run setup
// installs them). The output is byte-for-byte reproducible; src/cpu/wasm-build.test.ts rebuilds and
// compares.
//
// Every build imports its memory (the -mt builds a shared one that threads instantiate the module on) and export __heap_base,
// where the TypeScript allocator starts. The relaxed build uses f32x4 fused multiply-add: clang 14
// only knows that instruction's prototype opcode (0xfd 0xaf 0x01, `f32x4.fma`), so its offsets are taken
// from llvm-objdump's disassembly and rewritten to the final `f32x4.relaxed_madd` (0xfd 0x85 0x02),
// same length, same operand order (a * b + c).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const KERNEL_DIR = join(ROOT, 'src/cpu/kernels');
export const WASM_DIR = join(ROOT, 'src/cpu/wasm');
const CLANG = '/usr/lib/llvm-14/bin/clang';
const OBJDUMP = '/usr/lib/llvm-14/bin/llvm-objdump';

/**
 * Four builds: plain SIMD or relaxed SIMD, each for a shared memory (threads; -mt) or an unshared one
 * (one thread: a page that is not cross-origin isolated cannot make a shared memory).
 */
export const FLAVORS = {
  'simd-mt': ['-matomics', '-mbulk-memory', '-Wl,--shared-memory'],
  simd: [],
  'relaxed-mt': ['-mrelaxed-simd', '-DRELAXED_SIMD', '-matomics', '-mbulk-memory', '-Wl,--shared-memory'],
  relaxed: ['-mrelaxed-simd', '-DRELAXED_SIMD'],
} as const;
export type Flavor = keyof typeof FLAVORS;

/** Pinned flags shared by every build: -O3 code of clang 14 for wasm32 with 128-bit SIMD. */
const FLAGS = [
  '--target=wasm32',
  '-O3',
  '-msimd128',
  '-nostdlib',
  '-ffreestanding',
  '-Wall',
  '-Werror',
  '-Wl,--no-entry',
  '-Wl,--import-memory',
  '-Wl,--max-memory=4294967296',
  '-Wl,--export=__heap_base',
];

export class ToolchainMissingError extends Error {
  override name = 'ToolchainMissingError';
}

/** `Debian clang version 14.0.6`; throws ToolchainMissingError when clang 14 is not installed. */
export function clangVersion(): string {
  try {
    return execFileSync(CLANG, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    throw new ToolchainMissingError(`clang 14 was not found at ${CLANG}: run \`npm run setup\` (it installs Debian's clang-14 and lld-14).`);
  }
}

/** Offset of the code section's payload in a wasm binary (llvm-objdump's offsets are relative to it). */
function codeSectionStart(wasm: Uint8Array): number {
  let at = 8;
  const leb = () => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = wasm[at++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  };
  while (at < wasm.length) {
    const id = wasm[at++];
    const size = leb();
    if (id === 10) return at;
    at += size;
  }
  throw new Error('build-wasm: no code section');
}

/** Rewrites every `f32x4.fma` (prototype) to `f32x4.relaxed_madd`; returns how many. */
function patchRelaxedFma(wasm: Uint8Array, disassembly: string): number {
  const base = codeSectionStart(wasm);
  let n = 0;
  for (const m of disassembly.matchAll(/^\s*([0-9a-f]+):\s+fd af 01\s+f32x4\.fma$/gm)) {
    const at = base + parseInt(m[1], 16);
    if (wasm[at] !== 0xfd || wasm[at + 1] !== 0xaf || wasm[at + 2] !== 0x01) throw new Error(`build-wasm: expected f32x4.fma at byte ${at}`);
    wasm[at + 1] = 0x85;
    wasm[at + 2] = 0x02;
    n++;
  }
  return n;
}

/** Kernels must not use the C stack (see simd.h): no function may touch a global. */
function checkNoGlobals(disassembly: string): void {
  let fn = '';
  for (const line of disassembly.split('\n')) {
    const header = /^[0-9a-f]+ <(.*)>:$/.exec(line);
    if (header) fn = header[1];
    else if (/global\.(get|set)/.test(line) && !fn.startsWith('__wasm')) throw new Error(`build-wasm: ${fn} uses a global (the C stack?): ${line.trim()}`);
  }
}

/** Builds both flavors into outDir; returns their paths. */
export function buildWasm(outDir = WASM_DIR): Record<Flavor, string> {
  clangVersion();
  const sources = readdirSync(KERNEL_DIR).filter((f) => f.endsWith('.c')).sort().map((f) => join(KERNEL_DIR, f));
  const tmp = mkdtempSync(join(tmpdir(), 'build-wasm-'));
  try {
    const out = {} as Record<Flavor, string>;
    for (const flavor of Object.keys(FLAVORS) as Flavor[]) {
      const raw = join(tmp, `${flavor}.wasm`);
      execFileSync(CLANG, [...FLAGS, ...FLAVORS[flavor], '-o', raw, ...sources], { cwd: KERNEL_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
      const dis = execFileSync(OBJDUMP, ['-d', raw], { encoding: 'utf8', maxBuffer: 1 << 28 });
      checkNoGlobals(dis);
      const wasm = new Uint8Array(readFileSync(raw));
      const fmas = patchRelaxedFma(wasm, dis);
      if (flavor.startsWith('relaxed') && fmas === 0) throw new Error('build-wasm: the relaxed build has no f32x4.fma to rewrite');
      out[flavor] = join(outDir, `kernels-${flavor}.wasm`);
      writeFileSync(out[flavor], wasm);
    }
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`build-wasm: ${clangVersion()}`);
  for (const [flavor, path] of Object.entries(buildWasm())) console.log(`build-wasm: ${flavor} -> ${path} (${readFileSync(path).length} bytes)`);
}
