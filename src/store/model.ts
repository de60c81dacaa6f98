// What the UI knows about the loaded model: loading progress, the model card, errors, the prompt
// box's streaming generation, and the quantization selector. The selector shows what is loaded
// (f32 at first: the app opens on its default model in f32, as the preset needs), and the source of
// the loaded model is kept so a panel can offer to reload it in another quantization. The backend
// choice (auto, WebGPU or the CPU route; `?backend=` sets it at start) applies to the next load:
// auto takes WebGPU on a real adapter and the CPU route without one or on a software adapter, which
// runs our matmuls at 1-2 GFLOP/s. After each load one forward of SPEED_TOKENS tokens measures the
// speed the page reports beside the backend.

import { create } from 'zustand';
import type { WeightQuant } from '../model/decoder';
import type { ModelInfo } from '../model/model';
import type { BackendChoice } from '../worker/backend';
import type { DecodeRoofline } from '../worker/roofline';
import type { DecodeTiming } from '../model/generation';
import type { EngineApi, EngineEvent, ModelSourceSpec } from '../worker/engine';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

export interface LoadState {
  stage: string;
  file: string;
  loaded: number;
  total: number;
}

export interface ModelState {
  loading: LoadState | null;
  info: ModelInfo | null;
  /** Where the loaded model came from (to reload it, e.g. as f32 for full fine-tuning). */
  source: ModelSourceSpec | null;
  /** The quantization the next load uses; after a load, the loaded model's. */
  quant: WeightQuant;
  /** Where the next load runs the model. */
  backend: BackendChoice;
  /** Tokens per second of one forward of SPEED_TOKENS tokens on the loaded model (null until measured). */
  speed: number | null;
  error: { name: string; message: string } | null;
  generation: {
    running: boolean;
    prompt: string;
    text: string;
    error: string | null;
    /** Wall clock of the prefill and decode steps; on WebGPU also where they stand against the adapter (roofline). */
    timing: DecodeTiming | null;
    roofline: DecodeRoofline | null;
  };
}

export interface ModelActions {
  /** Subscribes to the engine's events once. */
  connect(engine: Engine): void;
  load(engine: Engine, source: ModelSourceSpec, quant: WeightQuant): Promise<void>;
  setQuant(quant: WeightQuant): void;
  setBackend(backend: BackendChoice): void;
  generate(engine: Engine, prompt: string, maxNewTokens: number): Promise<void>;
}

let connected = false;

/** Tokens in the forward that measures a loaded model's speed (prefill of one sequence). */
export const SPEED_TOKENS = 64;

/** The backend asked for in the URL (`?backend=auto|webgpu|cpu`), else auto. */
function backendFromUrl(): BackendChoice {
  const v = typeof location === 'undefined' ? null : new URLSearchParams(location.search).get('backend');
  return v === 'webgpu' || v === 'cpu' ? v : 'auto';
}

/** Prefill tokens per second of the loaded model: one forward of SPEED_TOKENS ids (after a warm-up forward that compiles). */
async function measureSpeed(engine: EngineApi, info: ModelInfo): Promise<number> {
  const ids = [Array.from({ length: Math.min(SPEED_TOKENS, info.config.maxPositions) }, (_, i) => (i * 7 + 3) % info.vocabSize)];
  await engine.forward([ids[0].slice(0, 4)]);
  const t0 = performance.now();
  await engine.forward(ids);
  return ids[0].length / ((performance.now() - t0) / 1000);
}

export const useModelStore = create<ModelState & ModelActions>()((set, get) => ({
  loading: null,
  info: null,
  source: null,
  quant: 'f32',
  backend: backendFromUrl(),
  speed: null,
  error: null,
  generation: { running: false, prompt: '', text: '', error: null, timing: null, roofline: null },

  connect(engine) {
    if (connected) return;
    connected = true;
    engine.onEvent((e) => {
      if (e.kind === 'load-progress' && get().loading) set({ loading: { stage: e.stage, file: e.file, loaded: e.loaded, total: e.total } });
      if (e.kind === 'generate-text' && get().generation.running) set({ generation: { ...get().generation, text: get().generation.text + e.piece } });
    });
  },

  async load(engine, source, quant) {
    set({ loading: { stage: 'starting', file: '', loaded: 0, total: 0 }, error: null });
    try {
      const info = await engine.loadModel(source, { quant, backend: get().backend });
      set({ info, source, quant: info.quant, speed: null, loading: null, generation: { running: false, prompt: '', text: '', error: null, timing: null, roofline: null } });
      const speed = await measureSpeed(engine, info).catch(() => null); // a report, not a requirement
      if (get().info === info) set({ speed });
    } catch (e) {
      // The previously loaded model (if any) is still loaded: keep its card.
      set({ loading: null, quant: get().info?.quant ?? quant, error: { name: (e as Error).name, message: (e as Error).message } });
    }
  },

  setQuant(quant) {
    set({ quant });
  },

  setBackend(backend) {
    set({ backend });
  },

  async generate(engine, prompt, maxNewTokens) {
    set({ generation: { running: true, prompt, text: '', error: null, timing: null, roofline: null } });
    try {
      const out = await engine.generate(prompt, { maxNewTokens });
      set({ generation: { running: false, prompt, text: out.text, error: null, timing: out.timing, roofline: out.roofline } });
    } catch (e) {
      set({ generation: { ...get().generation, running: false, error: `${(e as Error).name}: ${(e as Error).message}` } });
    }
  },
}));
