// Acquire an adapter and a device with the features we can use and the adapter's full limits.

import { WebGpuUnavailableError } from '../errors';
import { buildAdapterReport, REPORTED_LIMITS, WANTED_FEATURES, type AdapterReport, type DeviceLimits } from './adapter-report';

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Lower some limits below the adapter's (tests of "does not fit" paths; never raised). */
  limitOverrides?: Partial<DeviceLimits>;
}

export interface AcquiredDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  report: AdapterReport;
  /** Limits the runtime enforces: the device's, lowered by `limitOverrides`. */
  limits: DeviceLimits;
}

export const HOW_TO_GET_WEBGPU =
  'Use Chrome or Edge 113 or newer on Windows, macOS or ChromeOS. On Linux start Chrome with ' +
  '--enable-unsafe-webgpu (and --enable-features=Vulkan), or enable chrome://flags/#enable-unsafe-webgpu. ' +
  'Managed browsers may have WebGPU switched off by the enterprise policy "WebGpuEnabled"; ask your administrator.';

export async function acquireDevice(gpu: GPU | undefined, opts: AcquireOptions = {}): Promise<AcquiredDevice> {
  if (!gpu) throw new WebGpuUnavailableError(`This browser does not expose WebGPU (navigator.gpu is missing). ${HOW_TO_GET_WEBGPU}`, { reason: 'no-navigator-gpu' });
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new WebGpuUnavailableError(`WebGPU is present but no GPU adapter is available. ${HOW_TO_GET_WEBGPU}`, { reason: 'no-adapter' });

  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const name of REPORTED_LIMITS) {
    // Alignment limits are minima: asking for the adapter's value is what "best" means there too.
    requiredLimits[name] = adapter.limits[name];
  }
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'alignscope' });

  const limits = {} as DeviceLimits;
  for (const name of REPORTED_LIMITS) {
    const own = device.limits[name];
    const lowered = opts.limitOverrides?.[name];
    limits[name] = lowered !== undefined && lowered < own ? lowered : own;
  }
  return { adapter, device, report: buildAdapterReport(adapter, device, limits), limits };
}
