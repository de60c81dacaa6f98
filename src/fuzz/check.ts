// What "a correct load" means for each reader, checked on what it returned. A check returns null
// when the result holds together, or what does not.
//   model folder (safetensors, ONNX, onnx-community, GGUF): the config's sizes are positive safe
//     integers; every weight expectedWeights(config) names is present with that shape and its data
//     reads (finite or not) with one value per element (WeightSource.read); each linear the file
//     stores quantized (WeightSource.stored) matches its [N, K] and holds N·nBlocks code blocks and
//     N·nBlocks scales; the tokenizer encodes a
//     multilingual sentence to ids below its vocabulary size and decodes them back.
//   tokenizer: the last part alone.
//   corpus (TSV, JSONL): at least two valid, distinct language codes; every tuple has exactly those
//     keys, each a usable sentence (textProblem null); ids and splits, where present, one per
//     tuple, ids unique; each problem names a line >= 1.

import { languageCodeProblem, SPLIT_NAMES, textProblem, type ReadReport } from '../data/corpus';
import type { HostModel } from '../model/load';
import { blocksFor, q4ZeroPointRowBytes, type QWeight } from '../model/quant';
import type { Tokenizer } from '../model/tokenizer';
import { expectedWeights } from '../model/weights';

const SENTENCE = 'Where is the station? 火车站在哪里？ Где вокзал? <s>';
const SIZES = ['vocabSize', 'hiddenSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'intermediateSize', 'maxPositions'] as const;

export function checkTokenizer(t: Tokenizer): string | null {
  if (!(Number.isSafeInteger(t.vocabSize) && t.vocabSize > 0)) return `tokenizer vocabSize ${t.vocabSize}`;
  const ids = t.encode(SENTENCE);
  const bad = ids.find((id) => !(Number.isSafeInteger(id) && id >= 0 && id < t.vocabSize));
  if (bad !== undefined) return `encode gave id ${bad}, outside the vocabulary of ${t.vocabSize}`;
  if (typeof t.decode(ids) !== 'string') return 'decode did not give a string';
  return null;
}

function checkQuantized(name: string, q: QWeight, shape: number[]): string | null {
  if (shape.length !== 2 || q.N !== shape[0] || q.K !== shape[1]) return `quantized ${name} is [${q.N}, ${q.K}], the weight [${shape}]`;
  const codeBytes = q.kind === 'q4' ? 16 : 32;
  if (q.nBlocks !== blocksFor(q.K)) return `quantized ${name} has ${q.nBlocks} blocks per row for K ${q.K}`;
  if (q.kind === 'q4' && q.zeroPoints && q.zeroPoints.length !== q.N * q4ZeroPointRowBytes(q.nBlocks)) return `quantized ${name} holds ${q.zeroPoints.length} zero-point bytes`;
  if (q.data.length !== q.N * q.nBlocks * codeBytes || q.scales.length !== q.N * q.nBlocks) return `quantized ${name} holds ${q.data.length} code bytes and ${q.scales.length} scales for [${q.N}, ${q.K}]`;
  return null;
}

export async function checkHostModel(m: HostModel): Promise<string | null> {
  const bad = SIZES.find((k) => !(Number.isSafeInteger(m.config[k]) && m.config[k] > 0));
  if (bad) return `config.${bad} = ${m.config[bad]}`;
  for (const spec of expectedWeights(m.config)) {
    const shape = m.weights.shapes.get(spec.name);
    if (!shape) return `weight ${spec.name} missing`;
    if (shape.join() !== spec.shape.join()) return `weight ${spec.name} is [${shape}], the config calls for [${spec.shape}]`;
    const data = await m.weights.read(spec.name);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) return `weight ${spec.name} holds ${data.length} values for [${spec.shape}]`;
    for (const kind of ['q4', 'q8'] as const) {
      const q = spec.role === 'linear' ? await m.weights.stored(spec.name, kind) : undefined;
      const problem = q && checkQuantized(spec.name, q, spec.shape);
      if (problem) return problem;
    }
  }
  return checkTokenizer(m.tokenizer);
}
export function checkReadReport(r: ReadReport): string | null {
  const { languages, tuples, ids, splits } = r.corpus;
  if (languages.length < 2 || new Set(languages).size !== languages.length) return `languages ${languages}`;
  const code = languages.find((l) => languageCodeProblem(l) !== null);
  if (code !== undefined) return `language code ${JSON.stringify(code)}`;
  for (const [i, t] of tuples.entries()) {
    const keys = Object.keys(t);
    if (keys.length !== languages.length || !languages.every((l) => Object.hasOwn(t, l))) return `tuple ${i} has keys ${keys}`;
    const text = languages.find((l) => typeof t[l] !== 'string' || textProblem(t[l]) !== null);
    if (text !== undefined) return `tuple ${i}, ${text}: ${JSON.stringify(t[text])?.slice(0, 40)}`;
  }
  if (ids && (ids.length !== tuples.length || new Set(ids).size !== ids.length || ids.some((id) => textProblem(id) !== null))) return `ids: ${ids.length} for ${tuples.length} tuples, or repeated, or unusable`;
  if (splits && (splits.length !== tuples.length || !splits.every((s) => SPLIT_NAMES.includes(s)))) return `splits: ${splits.length} for ${tuples.length} tuples, or not train/dev/test`;
  const line = r.problems.find((p) => !(Number.isSafeInteger(p.line) && p.line >= 1) || typeof p.message !== 'string');
  return line ? `problem with line ${line.line}` : null;
}
