// One loader for WGSL text in every host. Under Vite (the app, the worker, Vitest) the files in
// shaders/ are bundled as raw strings; in plain Node (no bundler) they are read with fs from the
// same folder. Either way callers ask by kernel name: `await loadShader('matmul')`.

export type ShaderSource = (name: string) => Promise<string>;

function bundledShaders(): Record<string, string> | null {
  try {
    // Vite rewrites this call at build time; in plain Node `import.meta.glob` is undefined and throws.
    return import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
  } catch {
    return null;
  }
}

const bundled = bundledShaders();

/** Reads shaders/<name>.wgsl from disk; the fallback when no bundler inlined the files. */
export async function readShaderFile(name: string): Promise<string> {
  const fs = 'node:fs/promises';
  const { readFile } = (await import(/* @vite-ignore */ fs)) as typeof import('node:fs/promises');
  const path = `../../shaders/${name}.wgsl`; // a variable, so Vite does not treat it as an asset URL
  return readFile(new URL(path, import.meta.url), 'utf8');
}

export const loadShader: ShaderSource = async (name) => {
  if (bundled) {
    const text = bundled[`../../shaders/${name}.wgsl`];
    if (text === undefined) throw new Error(`No shader named "${name}" in shaders/ (have: ${Object.keys(bundled).join(', ')})`);
    return text;
  }
  return readShaderFile(name);
};

/** Names of the bundled shaders (empty outside Vite). */
export function bundledShaderNames(): string[] {
  return bundled ? Object.keys(bundled).map((k) => k.replace(/^.*\/(.*)\.wgsl$/, '$1')) : [];
}
