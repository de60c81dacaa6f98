// The system Chromium every browser test and benchmark uses (never a downloaded browser), with the
// stock flags for headless WebGPU on machines without a GPU (SwiftShader).

export const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

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

export const WEBGPU_FLAGS = [...STOCK_FLAGS, '--enable-unsafe-webgpu'];
