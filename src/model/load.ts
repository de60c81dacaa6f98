// Reading a model folder into host memory: config.json (or the config inside our ONNX export),
// tokenizer.json (+ tokenizer_config.json), and weights from model.safetensors, a sharded
// model.safetensors.index.json, or model.onnx. Every failure is a typed error naming the file.

import { ModelFormatError } from '../errors';
import { parseHfConfig, type DecoderConfig } from './config';
import { onnxExternalLocations, readDecoderOnnx } from './onnx-reader';
import { checkAgainstConfig, readSafetensorsLazy } from './safetensors';
import { readJson, type ModelFiles } from './source';
import { Tokenizer } from './tokenizer';
import type { QWeight } from './quant';
import type { WeightMap } from './weights';

export interface LoadProgress {
  stage: 'config' | 'tokenizer' | 'weights' | 'upload';
  file: string;
  loaded: number;
  total: number;
}

export interface HostModel {
  config: DecoderConfig;
  tokenizer: Tokenizer;
  /** From safetensors, each tensor decodes when its `data` is read (readSafetensorsLazy): read it once. */
  weights: WeightMap;
  weightsFile: string;
  weightsFormat: 'safetensors' | 'onnx';
  fileBytes: number;
  /** Linears stored quantized in the file (ONNX MatMulNBits), by weight name. */
  quantized: ReadonlyMap<string, QWeight>;
}

export async function readModelFolder(files: ModelFiles, onProgress?: (p: LoadProgress) => void): Promise<HostModel> {
  const hasOnnx = await files.has('model.onnx');
  const hasSafetensors = await files.has('model.safetensors');
  const hasIndex = !hasSafetensors && (await files.has('model.safetensors.index.json'));
  if (!hasOnnx && !hasSafetensors && !hasIndex) {
    throw new ModelFormatError(`${files.label} holds no weights: expected model.safetensors, model.safetensors.index.json (+ shards) or model.onnx.`, { file: files.label });
  }

  onProgress?.({ stage: 'tokenizer', file: 'tokenizer.json', loaded: 0, total: 1 });
  if (!(await files.has('tokenizer.json'))) throw new ModelFormatError(`${files.label} has no tokenizer.json; add the tokenizer files of the model.`, { file: 'tokenizer.json' });
  const tokenizerConfig = (await files.has('tokenizer_config.json')) ? await readJson(files, 'tokenizer_config.json') : undefined;
  const tokenizer = Tokenizer.fromJson(await readJson(files, 'tokenizer.json'), tokenizerConfig, `${files.label}/tokenizer.json`);

  const progress = (stage: LoadProgress['stage'], file: string) => (loaded: number, total: number) => onProgress?.({ stage, file, loaded, total });
  let fileBytes = 0;
  if (hasSafetensors || hasIndex) {
    onProgress?.({ stage: 'config', file: 'config.json', loaded: 0, total: 1 });
    if (!(await files.has('config.json'))) throw new ModelFormatError(`${files.label} has no config.json next to its safetensors weights.`, { file: 'config.json' });
    const config = parseHfConfig(await readJson(files, 'config.json'), `${files.label}/config.json`);
    const shards = hasSafetensors ? ['model.safetensors'] : shardNames(await readJson(files, 'model.safetensors.index.json'), files.label);
    const weights: WeightMap = new Map();
    for (const shard of shards) {
      const bytes = await files.read(shard, progress('weights', shard));
      fileBytes += bytes.byteLength;
      for (const [k, v] of readSafetensorsLazy(bytes, `${files.label}/${shard}`)) weights.set(k, v);
    }
    checkAgainstConfig(weights, config, `${files.label}/${shards.join(', ')}`);
    return { config, tokenizer, weights, weightsFile: shards.join(', '), weightsFormat: 'safetensors', fileBytes, quantized: new Map() };
  }
  const bytes = await files.read('model.onnx', progress('weights', 'model.onnx'));
  // External data files (large models) are read up front: the reader resolves them synchronously.
  const external = new Map<string, Uint8Array>();
  for (const location of onnxExternalLocations(bytes)) {
    if (!(await files.has(location))) throw new ModelFormatError(`${files.label}/model.onnx refers to external data ${location}, which is not in the folder.`, { file: location });
    const data = await files.read(location, progress('weights', location));
    external.set(location, data);
    fileBytes += data.byteLength;
  }
  const onnx = readDecoderOnnx(bytes, `${files.label}/model.onnx`, { resolveExternal: (loc) => external.get(loc)! });
  return {
    config: onnx.config,
    tokenizer,
    weights: onnx.weights,
    weightsFile: 'model.onnx',
    weightsFormat: 'onnx',
    fileBytes: fileBytes + bytes.byteLength,
    quantized: onnx.quantized,
  };
}

function shardNames(index: unknown, label: string): string[] {
  const map = (index as { weight_map?: Record<string, string> })?.weight_map;
  if (!map || typeof map !== 'object') throw new ModelFormatError(`${label}/model.safetensors.index.json has no weight_map.`, { file: 'model.safetensors.index.json' });
  return [...new Set(Object.values(map))].sort();
}
