import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// One config for the app (vite), its worker, and the two Node test tiers (vitest projects).
// `unit` runs pure TypeScript; `gpu` runs kernels on a real WebGPU adapter through Dawn (npm
// `webgpu`), which is SwiftShader on machines without a GPU. Browser tests live in e2e/ (Playwright).
// Cross-origin isolation (COOP + COEP) lets the page share one WebAssembly.Memory between worker
// threads, which the CPU route needs for more than one thread; a static host must send the same two
// headers (README). Models fetched from another origin then need CORS, as they already do.
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  plugins: [react()],
  server: { headers: ISOLATION },
  preview: { headers: ISOLATION },
  worker: { format: 'es' },
  optimizeDeps: {
    // Pre-bundle at startup: a dependency discovered later makes the dev server reload the page.
    include: ['@huggingface/tokenizers', 'react', 'react-dom/client', 'zustand', 'recharts', 'umap-js'],
    // Served as is: its wasm is located with new URL(..., import.meta.url), which pre-bundling breaks.
    exclude: ['onnxruntime-web'],
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
  test: {
    projects: [
      {
        extends: true,
        // 30 s, not vitest's 5 s: a limit against hangs, not a speed check. Loading Llama 3's 128k-token
        // tokenizer or a model through the mock Hub takes 2-5 s alone and twice that beside another
        // file on a 2-core CI machine.
        test: { name: 'unit', include: ['src/**/*.test.ts'], exclude: ['src/**/*.gpu.test.ts'], environment: 'node', testTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'gpu',
          include: ['src/**/*.gpu.test.ts'],
          environment: 'node',
          // Software rasterization is slow and a Dawn instance per file is heavy: one file at a time.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
