// Greedy translation with the mapping template: each request becomes [BOS] + the template's prefix
// (exactly what training saw before the target sentence), and the model continues until EOS.
// Requests go to the GPU in groups of TRANSLATE_BATCH (one KV cache [B, T, Hkv, D] per layer each).

import type { LoadedModel } from '../model/loaded-model';
import { encodeMappingPrompt, type MappingTemplate } from '../train/template';

export interface TranslateItem {
  srcLang: string;
  tgtLang: string;
  src: string;
}

export interface TranslateRequest {
  items: TranslateItem[];
  template: MappingTemplate;
  maxNewTokens: number;
  /** 'current': the weights as trained so far; 'base': the model as its files hold it. */
  weights: 'current' | 'base';
}

export interface TranslateResult {
  /** One hypothesis per item, in order. */
  outputs: string[];
}

const TRANSLATE_BATCH = 32;

export async function translate(model: LoadedModel, req: TranslateRequest, onProgress: (done: number, total: number) => void): Promise<TranslateResult> {
  const tok = model.tokenizer;
  // Leave room for at least one new token inside the model's context.
  const room = model.config.maxPositions - Math.max(1, Math.min(req.maxNewTokens, model.config.maxPositions - 1));
  const prompts = req.items.map((it) => encodeMappingPrompt(tok, req.template, it.srcLang, it.src, it.tgtLang).slice(-room));
  const outputs: string[] = [];
  for (let start = 0; start < prompts.length; start += TRANSLATE_BATCH) {
    const ids = await model.generateGreedy(prompts.slice(start, start + TRANSLATE_BATCH), req.maxNewTokens);
    for (const seq of ids) outputs.push(tok.decode(seq.filter((id) => id < tok.vocabSize), { skipSpecial: true }).trim());
    onProgress(Math.min(start + TRANSLATE_BATCH, prompts.length), prompts.length);
  }
  return { outputs };
}
