// What the user's adapter is and can do, as plain data the UI and benchmarks show.

/** The limits that decide what fits: buffer sizes, bindings, workgroup shape and storage. */
export const REPORTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxUniformBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'minUniformBufferOffsetAlignment',
  'minStorageBufferOffsetAlignment',
] as const;

export type ReportedLimit = (typeof REPORTED_LIMITS)[number];
export type DeviceLimits = Record<ReportedLimit, number>;

/** Features we use when offered; none is required. */
export const WANTED_FEATURES = ['timestamp-query', 'subgroups', 'shader-f16'] as const satisfies readonly GPUFeatureName[];

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters (SwiftShader) and others the browser marks as fallback. */
  isFallbackAdapter: boolean;
  /** Every feature the adapter offers. */
  adapterFeatures: string[];
  /** The subset of WANTED_FEATURES that the device was created with. */
  enabledFeatures: string[];
  /** Limits in force on the device (the adapter's full values, or lower where the caller asked). */
  limits: DeviceLimits;
  subgroupMinSize: number | null;
  subgroupMaxSize: number | null;
}

export function buildAdapterReport(adapter: GPUAdapter, device: GPUDevice, limits: DeviceLimits): AdapterReport {
  const info = adapter.info;
  // `isFallbackAdapter` moved from GPUAdapter to GPUAdapterInfo; read both, Dawn-in-Node may have neither.
  const fallbackFlag =
    (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const sub = info as { subgroupMinSize?: number; subgroupMaxSize?: number };
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: fallbackFlag ?? info.architecture === 'swiftshader',
    adapterFeatures: [...adapter.features].sort(),
    enabledFeatures: [...device.features].filter((f) => (WANTED_FEATURES as readonly string[]).includes(f)).sort(),
    limits,
    subgroupMinSize: sub.subgroupMinSize ?? null,
    subgroupMaxSize: sub.subgroupMaxSize ?? null,
  };
}

/** Bytes as a short human string: 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}
