// Reading a model folder: config.json (or the config inside our ONNX export), tokenizer.json
// (+ tokenizer_config.json), and the weights of model.safetensors, a sharded
// model.safetensors.index.json, or model.onnx; or else one .gguf file, which holds all three.
// Safetensors and GGUF weights stay in their files until stored (decision 42); only their headers
// are read here, and checked. Every failure is a typed error naming the file.

import { ModelFormatError, UnsupportedModelError } from '../errors';
import { parseHfConfig, type DecoderConfig } from './config';
import { COMMUNITY_ONNX_ORDER, isCommunityOnnx, readCommunityOnnx } from './onnx-community';
import { onnxExternalLocations, readDecoderOnnx } from './onnx-reader';
import { checkAgainstConfig } from './safetensors';
import { safetensorsSource } from './safetensors-source';
import { readJson, type ModelFiles } from './source';
import { Tokenizer } from './tokenizer';
import { mapSource, type WeightSource } from './weight-source';

export interface LoadProgress {
  /** 'download': a Hub model's files arriving in the cache (hub/), before they are read. */
  stage: 'download' | 'config' | 'tokenizer' | 'weights' | 'upload';
  file: string;
  loaded: number;
  total: number;
}

export interface HostModel {
  config: DecoderConfig;
  tokenizer: Tokenizer;
  /** Shapes now, values read from the files when the backend stores each tensor (decision 42). */
  weights: WeightSource;
  weightsFile: string;
  weightsFormat: 'safetensors' | 'onnx' | 'gguf';
  fileBytes: number;
}

export async function readModelFolder(files: ModelFiles, onProgress?: (p: LoadProgress) => void): Promise<HostModel> {
  let onnxFile: string | undefined = (await files.has('model.onnx')) ? 'model.onnx' : undefined;
  const hasSafetensors = await files.has('model.safetensors');
  const hasIndex = !hasSafetensors && (await files.has('model.safetensors.index.json'));
  // onnx-community folders keep their exports under onnx/ (read with config.json, onnx-community.ts)
  if (!onnxFile && !hasSafetensors && !hasIndex) for (const n of COMMUNITY_ONNX_ORDER) if (!onnxFile && (await files.has(n))) onnxFile = n;
  const hasOnnx = onnxFile !== undefined;
  if (!hasOnnx && !hasSafetensors && !hasIndex) {
    const gguf = await ggufFileName(files);
    if (gguf !== undefined) return readGgufFile(files, gguf, onProgress);
    throw new ModelFormatError(`${files.label} holds no weights: expected model.safetensors, model.safetensors.index.json (+ shards), model.onnx, an onnx-community onnx/model{,_q4,_q4f16,_fp16}.onnx or one .gguf file.`, { file: files.label });
  }

  onProgress?.({ stage: 'tokenizer', file: 'tokenizer.json', loaded: 0, total: 1 });
  if (!(await files.has('tokenizer.json'))) throw new ModelFormatError(`${files.label} has no tokenizer.json; add the tokenizer files of the model.`, { file: 'tokenizer.json' });
  const tokenizerConfig = (await files.has('tokenizer_config.json')) ? await readJson(files, 'tokenizer_config.json') : undefined;
  const tokenizer = Tokenizer.fromJson(await readJson(files, 'tokenizer.json'), tokenizerConfig, `${files.label}/tokenizer.json`);

  const progress = (stage: LoadProgress['stage'], file: string) => (loaded: number, total: number) => onProgress?.({ stage, file, loaded, total });
  if (hasSafetensors || hasIndex) {
    onProgress?.({ stage: 'config', file: 'config.json', loaded: 0, total: 1 });
    if (!(await files.has('config.json'))) throw new ModelFormatError(`${files.label} has no config.json next to its safetensors weights.`, { file: 'config.json' });
    const config = parseHfConfig(await readJson(files, 'config.json'), `${files.label}/config.json`);
    const shards = hasSafetensors ? ['model.safetensors'] : shardNames(await readJson(files, 'model.safetensors.index.json'), files.label);
    onProgress?.({ stage: 'weights', file: shards.join(', '), loaded: 0, total: 1 });
    checkTokenizerFits(tokenizer, config, files.label);
    const { source, fileBytes } = await safetensorsSource(files, shards);
    checkAgainstConfig(source.shapes, config, `${files.label}/${shards.join(', ')}`);
    return { config, tokenizer, weights: source, weightsFile: shards.join(', '), weightsFormat: 'safetensors', fileBytes };
  }
  // ONNX graphs are parsed whole (protobuf), so their weights are read into memory, not streamed.
  const name = onnxFile!;
  let fileBytes = 0;
  const bytes = await files.read(name, progress('weights', name));
  // External data files (large models) are read up front: the reader resolves them synchronously.
  // A location is relative to the .onnx file's folder.
  const dir = name.includes('/') ? name.slice(0, name.lastIndexOf('/') + 1) : '';
  const external = new Map<string, Uint8Array>();
  for (const location of onnxExternalLocations(bytes)) {
    if (!(await files.has(dir + location))) throw new ModelFormatError(`${files.label}/${name} refers to external data ${location}, which is not in the folder.`, { file: dir + location });
    const data = await files.read(dir + location, progress('weights', dir + location));
    external.set(location, data);
    fileBytes += data.byteLength;
  }
  const readOpts = { resolveExternal: (loc: string) => external.get(loc)! };
  let onnx;
  if (isCommunityOnnx(bytes)) {
    if (!(await files.has('config.json'))) throw new ModelFormatError(`${files.label} has no config.json next to ${name}; onnx-community models need it.`, { file: 'config.json' });
    const config = parseHfConfig(await readJson(files, 'config.json'), `${files.label}/config.json`);
    onnx = readCommunityOnnx(bytes, config, `${files.label}/${name}`, readOpts);
  } else onnx = readDecoderOnnx(bytes, `${files.label}/${name}`, readOpts);
  checkTokenizerFits(tokenizer, onnx.config, files.label);
  return {
    config: onnx.config,
    tokenizer,
    weights: mapSource(onnx.weights, onnx.quantized),
    weightsFile: name,
    weightsFormat: 'onnx',
    fileBytes: fileBytes + bytes.byteLength,
  };
}

/**
 * The tokenizer's ids must index the embedding: an id past its rows would gather another shard's
 * nothing (zeros on WebGPU) and read past the matrix on the CPU. Checkpoints pad the embedding
 * (Qwen: 151,936 rows for 151,669 ids), so fewer ids than rows is normal.
 */
function checkTokenizerFits(tokenizer: Tokenizer, config: DecoderConfig, label: string): void {
  if (tokenizer.vocabSize <= config.vocabSize) return;
  throw new ModelFormatError(`${label}: the tokenizer has ids up to ${tokenizer.vocabSize - 1}, but the model's embedding has ${config.vocabSize} rows. The tokenizer and the weights belong to different models: take both from the same repository.`, { file: label, tokenizerVocab: tokenizer.vocabSize, vocabSize: config.vocabSize });
}

/** The one .gguf file of a source that lists its files (model.gguf where it cannot); undefined when there is none. */
async function ggufFileName(files: ModelFiles): Promise<string | undefined> {
  const names = files.names ? (await files.names()).filter((n) => /\.gguf$/i.test(n)) : (await files.has('model.gguf')) ? ['model.gguf'] : [];
  if (names.length === 0) return undefined;
  const split = names.find((n) => /-\d{5}-of-\d{5}\.gguf$/i.test(n));
  if (split) throw new UnsupportedModelError(`${files.label}/${split} is one part of a split GGUF model, which we do not read: merge the parts into one file (llama-gguf-split --merge).`, { file: split });
  if (names.length > 1) throw new ModelFormatError(`${files.label} holds several GGUF files (${names.join(', ')}): keep the one to load alone in its folder, or give its own path or URL.`, { file: files.label, files: names });
  return names[0];
}

async function readGgufFile(files: ModelFiles, name: string, onProgress?: (p: LoadProgress) => void): Promise<HostModel> {
  onProgress?.({ stage: 'weights', file: name, loaded: 0, total: 1 });
  // The reader (and @huggingface/gguf under it) loads on demand: bundles that never see a GGUF file skip it.
  const { readGguf } = await import('./gguf');
  const label = files.label.endsWith(name) ? files.label : `${files.label}/${name}`;
  const g = await readGguf(files, name, label);
  checkTokenizerFits(g.tokenizer, g.config, label);
  return { config: g.config, tokenizer: g.tokenizer, weights: g.weights, weightsFile: name, weightsFormat: 'gguf', fileBytes: await files.size(name) };
}

function shardNames(index: unknown, label: string): string[] {
  const map = (index as { weight_map?: Record<string, string> })?.weight_map;
  if (!map || typeof map !== 'object') throw new ModelFormatError(`${label}/model.safetensors.index.json has no weight_map.`, { file: 'model.safetensors.index.json' });
  return [...new Set(Object.values(map))].sort();
}
