// Where a training session's trainer comes from, by the backend the model runs on: the WebGPU
// `Trainer` (rebuilt on a new device after a loss, from the session's snapshot) or the CPU route's
// `CpuTrainer` (its memory cannot be lost). The session (training.ts) sees only TrainerSource.

import type { GpuRuntime } from '../gpu/runtime';
import { CpuModel } from '../cpu/model';
import { CpuTrainer } from '../cpu/trainer';
import type { LoadedModel } from '../model/loaded-model';
import { Model } from '../model/model';
import { modelKey } from '../train/checkpoint-store';
import { trainSamplers } from '../train/step-plan';
import { Trainer } from '../train/trainer';
import type { TrainData, TrainerSource } from './training';

export function trainerSource(rt: GpuRuntime, model: LoadedModel, data: TrainData): TrainerSource {
  const key = modelKey(model.info.name, model.config);
  const { tokenizer } = model;
  if (model instanceof CpuModel) {
    const { rt: cpu, decoder } = model.training;
    return { model: key, create: async (settings) => CpuTrainer.create(cpu, decoder, tokenizer, data.train, data.heldOut, settings), recover: async () => {} };
  }
  if (!(model instanceof Model)) throw new Error(`trainerSource: a model on backend ${model.backend} is neither the WebGPU Model nor a CpuModel`);
  return {
    model: key,
    create: async (settings) => Trainer.create(rt, await model.gpuDecoder(), tokenizer, data.train, data.heldOut, settings),
    // Touching the weights is enough: on a new device the model re-uploads its files and calls rebuildOn within the same GPU work.
    recover: async () => void (await model.gpuDecoder()),
    rebuildOn: (ctx, decoder, settings, snapshot) => {
      const trainer = Trainer.build(ctx, rt, decoder, trainSamplers(tokenizer, data.train, data.heldOut, settings), { train: data.train, tokenizer }, settings);
      if (snapshot) trainer.restoreOn(ctx, snapshot);
      return trainer;
    },
  };
}
