// The system Chromium every browser test and benchmark uses (never a downloaded browser), with the
// stock flags for headless WebGPU on machines without a GPU (SwiftShader). Plain JS so that both
// Playwright's config and the Node benchmark scripts import it.

/** CHROME_PATH if set, else Debian's chromium. */
export const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

/** @type {string[]} */
export const STOCK_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** @type {string[]} */
export const WEBGPU_FLAGS = [...STOCK_FLAGS, '--enable-unsafe-webgpu'];
