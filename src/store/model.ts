// What the UI knows about the loaded model: loading progress, the model card, errors, and the
// prompt box's streaming generation.

import { create } from 'zustand';
import type { WeightQuant } from '../model/decoder';
import type { ModelInfo } from '../model/model';
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
  error: { name: string; message: string } | null;
  generation: { running: boolean; prompt: string; text: string; error: string | null; tokensPerSecond: number | null };
}

export interface ModelActions {
  /** Subscribes to the engine's events once. */
  connect(engine: Engine): void;
  load(engine: Engine, source: ModelSourceSpec, quant: WeightQuant): Promise<void>;
  generate(engine: Engine, prompt: string, maxNewTokens: number): Promise<void>;
}

let connected = false;

export const useModelStore = create<ModelState & ModelActions>()((set, get) => ({
  loading: null,
  info: null,
  error: null,
  generation: { running: false, prompt: '', text: '', error: null, tokensPerSecond: null },

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
      const info = await engine.loadModel(source, { quant });
      set({ info, loading: null, generation: { running: false, prompt: '', text: '', error: null, tokensPerSecond: null } });
    } catch (e) {
      // The previously loaded model (if any) is still loaded: keep its card.
      set({ loading: null, error: { name: (e as Error).name, message: (e as Error).message } });
    }
  },

  async generate(engine, prompt, maxNewTokens) {
    set({ generation: { running: true, prompt, text: '', error: null, tokensPerSecond: null } });
    const t0 = performance.now();
    try {
      const out = await engine.generate(prompt, { maxNewTokens });
      const seconds = (performance.now() - t0) / 1000;
      set({ generation: { running: false, prompt, text: out.text, error: null, tokensPerSecond: out.tokens.length / seconds } });
    } catch (e) {
      set({ generation: { ...get().generation, running: false, error: `${(e as Error).name}: ${(e as Error).message}` } });
    }
  },
}));
