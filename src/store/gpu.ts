// What the UI knows about the GPU: the adapter report, the self-test, and what went wrong.

import { create } from 'zustand';
import type { AdapterReport } from '../gpu/adapter-report';
import type { EngineApi, EngineEvent } from '../worker/engine';
import type { SelfTestResult } from '../worker/self-test';

export type GpuStatus = 'starting' | 'ready' | 'unavailable' | 'error';

export interface Progress {
  done: number;
  total: number;
  label: string;
}

export interface GpuState {
  status: GpuStatus;
  report: AdapterReport | null;
  /** Why WebGPU is unavailable or what failed, as the engine said it. */
  error: { name: string; message: string } | null;
  selfTest: { running: boolean; progress: Progress | null; result: SelfTestResult | null; error: string | null };
  deviceLost: string | null;
}

export interface GpuActions {
  start(engine: EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown }): Promise<void>;
  runSelfTest(engine: EngineApi): Promise<void>;
}

const initial: GpuState = {
  status: 'starting',
  report: null,
  error: null,
  selfTest: { running: false, progress: null, result: null, error: null },
  deviceLost: null,
};

export const useGpuStore = create<GpuState & GpuActions>()((set, get) => ({
  ...initial,

  async start(engine) {
    engine.onEvent((e) => {
      if (e.kind === 'progress' && e.task === 'self-test') set({ selfTest: { ...get().selfTest, progress: e } });
      if (e.kind === 'device-lost') set({ deviceLost: `${e.reason || 'unknown'}${e.message ? `: ${e.message}` : ''}` });
    });
    try {
      // ?bindingLimit=<bytes>: run as an adapter with a smaller binding limit would (the vocabulary then shards).
      const params = new URLSearchParams(globalThis.location?.search ?? '');
      const limit = Number(params.get('bindingLimit') ?? NaN);
      // ?tune=off: every matmul keeps its default kernel (no autotuning at model load, decision 45).
      const tune = params.get('tune') === 'off' ? ({ tune: 'off' } as const) : {};
      const report = await engine.init({ ...(Number.isSafeInteger(limit) && limit > 0 ? { bindingLimit: limit } : {}), ...tune });
      set({ status: 'ready', report, error: null });
    } catch (e) {
      const err = e as Error;
      set({ status: err.name === 'WebGpuUnavailableError' ? 'unavailable' : 'error', error: { name: err.name, message: err.message } });
    }
  },

  async runSelfTest(engine) {
    set({ selfTest: { running: true, progress: null, result: null, error: null } });
    try {
      const result = await engine.selfTest();
      set({ selfTest: { running: false, progress: null, result, error: null }, deviceLost: null });
    } catch (e) {
      set({ selfTest: { running: false, progress: null, result: null, error: `${(e as Error).name}: ${(e as Error).message}` } });
    }
  },
}));
