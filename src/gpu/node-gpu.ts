// WebGPU in Node through Dawn (npm `webgpu`). On machines without a GPU, Dawn finds SwiftShader,
// the software Vulkan driver that ships inside Debian's chromium package, when VK_ICD_FILENAMES
// points at its ICD file; we set that here if the caller has not. Used by tests and the CLI only.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, globals } from 'webgpu';

const SWIFTSHADER_ICD = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

let instance: GPU | null = null;

/** A process-wide `GPU` object (like navigator.gpu); also installs GPUBufferUsage and friends as globals. */
export function nodeGpu(): GPU {
  if (instance) return instance;
  if (!process.env.VK_ICD_FILENAMES && !process.env.ALIGNSCOPE_SYSTEM_VULKAN) {
    const icd = SWIFTSHADER_ICD.find((p) => existsSync(p));
    if (icd) process.env.VK_ICD_FILENAMES = icd;
  }
  // SwiftShader's window-system probe complains on stderr without a runtime dir; we draw nothing.
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'alignscope-xdg-'));
  Object.assign(globalThis, globals);
  instance = create([]) as GPU;
  return instance;
}
