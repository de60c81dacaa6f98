// Opening the app's default model (public/models/alignscope-tiny, built by `npm run build:model`):
// its shipped base analysis is fetched and shown at once while the weights load in f32 (the preset
// fine-tunes every weight); once loaded, the engine adopts that analysis or Inspect measures live.
// The app does this on start; the Model panel's "Load the default model" button does it again.

import type { EngineApi, EngineEvent } from '../worker/engine';
import { useInspectStore } from './inspect';
import { useModelStore } from './model';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

export const DEFAULT_MODEL_URL = '/models/alignscope-tiny/';

/** Fetches the shipped analysis (shown as soon as it arrives), loads the model, then lets the engine adopt the analysis. */
export async function openDefaultModel(engine: Engine): Promise<void> {
  const shipped = useInspectStore.getState().loadShipped(DEFAULT_MODEL_URL);
  const models = useModelStore.getState();
  models.connect(engine);
  await models.load(engine, { kind: 'url', url: DEFAULT_MODEL_URL }, 'f32');
  await shipped;
  if (useModelStore.getState().info?.name !== DEFAULT_MODEL_URL) return; // the Model panel shows the error
  await useInspectStore.getState().adoptShipped(engine);
}
