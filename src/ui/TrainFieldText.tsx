// The words of the settings form, as data: a label and a one-line hint per number, and how the
// numbers group. TrainSettingsForm renders these; the ranges themselves live with the validation
// (NUMBER_RULES in store/train.ts).

import type { NumberField } from '../store/train';

export interface FieldText {
  label: string;
  hint: string;
}

export const FIELD_TEXT: Record<NumberField, FieldText> = {
  steps: { label: 'Steps', hint: 'Optimizer updates in the run.' },
  lr: { label: 'Learning rate', hint: 'Peak, reached after warmup. Default 1e-3 full, 2e-3 LoRA.' },
  warmupSteps: { label: 'Warmup steps', hint: 'Linear ramp up to the peak; default 10% of the steps.' },
  minLr: { label: 'Min learning rate', hint: 'Where the cosine decay ends; default 10% of the peak.' },
  batchSize: { label: 'Batch size', hint: 'Examples per micro-batch.' },
  gradAccum: { label: 'Grad accumulation', hint: 'Micro-batches summed into one update (effective batch = batch × this).' },
  maxLength: { label: 'Max length', hint: 'Tokens per example: single sentences are cut, longer translation pairs skipped.' },
  lambdaMap: { label: 'λ map', hint: 'Weight of the mapping loss: L = L_ntp + λ · L_map.' },
  ntpFraction: { label: 'NTP share', hint: 'Fraction of examples that are single sentences (0–1); the rest are translations.' },
  lambdaCon: { label: 'λ contrastive', hint: 'Weight of InfoNCE on translation pairs: L += λ · L_con (0: off).' },
  conLayer: { label: 'Contrastive layer', hint: 'Hidden state whose mean-pooled vectors are pulled together (default: the middle).' },
  temperature: { label: 'Temperature', hint: 'InfoNCE temperature τ; smaller is sharper (0.1 by default).' },
  maxGradNorm: { label: 'Max grad norm', hint: 'Clips the global gradient norm; 0 turns clipping off.' },
  weightDecay: { label: 'Weight decay', hint: 'AdamW’s decoupled decay (not on norms or biases).' },
  seed: { label: 'Seed', hint: 'Same seed, same batches (and LoRA initialisation).' },
  evalEvery: { label: 'Evaluate every', hint: 'Held-out losses every this many steps (0: never).' },
  rank: { label: 'LoRA rank', hint: 'Inner size of each adapter B·A.' },
  alpha: { label: 'LoRA alpha', hint: 'Adapters are scaled by alpha / rank.' },
};

/** The number fields outside the mode section, in groups. */
export const FIELD_GROUPS: { title: string; fields: NumberField[] }[] = [
  { title: 'Schedule', fields: ['steps', 'lr', 'warmupSteps', 'minLr'] },
  { title: 'Batches', fields: ['batchSize', 'gradAccum', 'maxLength'] },
  { title: 'Objective', fields: ['lambdaMap', 'ntpFraction'] },
  { title: 'Contrastive alignment', fields: ['lambdaCon', 'conLayer', 'temperature'] },
  { title: 'Optimizer and evaluation', fields: ['maxGradNorm', 'weightDecay', 'seed', 'evalEvery'] },
];
