import { defineConfig } from '@playwright/test';
import { CHROME_PATH, STOCK_FLAGS, WEBGPU_FLAGS } from './chromium.mjs';

const PORT = Number(process.env.E2E_PORT ?? 4319);

// Runs against the built app (`vite build` first; `npm run test:e2e` does both) served by vite preview.
export default defineConfig({
  testDir: '.',
  outputDir: './output',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  workers: 1,
  reporter: [['list']],
  forbidOnly: true,
  use: { baseURL: `http://127.0.0.1:${PORT}`, screenshot: 'only-on-failure' },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    cwd: '..',
    reuseExistingServer: false,
    timeout: 60_000,
  },
  projects: [
    {
      name: 'webgpu',
      testMatch: /.*\.webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath: CHROME_PATH, args: WEBGPU_FLAGS } },
    },
    {
      name: 'no-webgpu',
      testMatch: /.*\.no-webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath: CHROME_PATH, args: STOCK_FLAGS } },
    },
    // Real shapes at full size (0.5-1.2 B parameters on SwiftShader): minutes per model, so only
    // `npm run test:full-size` runs it. Each test launches its own Chromium (persistent profile) with WEBGPU_FLAGS.
    {
      name: 'full-size',
      testMatch: /.*\.full-size\.spec\.ts/,
      timeout: 20 * 60_000,
      use: { launchOptions: { executablePath: CHROME_PATH, args: WEBGPU_FLAGS } },
    },
  ],
});
