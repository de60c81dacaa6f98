// Which files of a Hub repo make a model we can load, in the order readModelFolder prefers them:
// safetensors (model.safetensors, or model.safetensors.index.json and its shards), else an ONNX
// graph (ours at the root, or one of onnx-community's onnx/*.onnx with its external data), else one
// GGUF file (several: the caller names one, else Q4_0, then Q8_0, then the unquantized ones). Each
// file gets the name it has in the cached folder (`name`), which is what the loader asks for.

import { ModelFormatError } from '../errors';
import type { HubFile } from './hub-api';

export type HubFormat = 'safetensors' | 'onnx' | 'gguf';

export interface PlannedFile extends HubFile {
  /** The file's name in the cached model folder (readModelFolder's name for it). */
  name: string;
}

export interface FileChoice {
  format: HubFormat;
  files: PlannedFile[];
  totalBytes: number;
  /** The GGUF files (or onnx/ graphs) the repo offers, when it offers several; `files` holds the one taken. */
  alternatives: string[];
}

export interface ChooseOptions {
  /** A GGUF file (or onnx/ graph) path to take among several. */
  variant?: string;
}

const GGUF_PREFERENCE = ['q4_0', 'q8_0', 'f16', 'bf16', 'f32'];
const ONNX_PREFERENCE = ['model_q4.onnx', 'model_int8.onnx', 'model_quantized.onnx', 'model.onnx', 'model_fp16.onnx'];

export function chooseFiles(listing: readonly HubFile[], repo: string, opts: ChooseOptions = {}): FileChoice {
  const byPath = new Map(listing.map((f) => [f.path, f]));
  const at = (path: string, name = path): PlannedFile[] => {
    const f = byPath.get(path);
    return f ? [{ ...f, name }] : [];
  };
  const common = () => [...at('config.json'), ...at('tokenizer.json'), ...at('tokenizer_config.json')];
  const done = (format: HubFormat, files: PlannedFile[], alternatives: string[] = []): FileChoice => ({
    format,
    files,
    totalBytes: files.reduce((s, f) => s + f.size, 0),
    alternatives,
  });

  if (byPath.has('model.safetensors')) return done('safetensors', [...common(), ...at('model.safetensors')]);
  if (byPath.has('model.safetensors.index.json')) {
    // Shards are named by the index, which is read only after download; the Hub's naming is model-0000i-of-0000n.
    const shards = listing.filter((f) => /^model-\d+-of-\d+\.safetensors$/.test(f.path)).map((f) => ({ ...f, name: f.path }));
    if (shards.length === 0) throw new ModelFormatError(`${repo} has model.safetensors.index.json but no model-NNNNN-of-NNNNN.safetensors shards.`, { file: 'model.safetensors.index.json', repo });
    return done('safetensors', [...common(), ...at('model.safetensors.index.json'), ...shards]);
  }
  if (byPath.has('model.onnx')) return done('onnx', [...common(), ...externalData(listing, '', 'model.onnx'), ...at('model.onnx')]);
  const graphs = listing.filter((f) => /^onnx\/[^/]+\.onnx$/.test(f.path)).map((f) => f.path);
  if (graphs.length > 0) {
    const graph = pick(graphs, opts.variant, (p) => ONNX_PREFERENCE.indexOf(p.slice('onnx/'.length)), repo);
    return done('onnx', [...common(), ...externalData(listing, 'onnx/', graph.slice('onnx/'.length)), ...at(graph, 'model.onnx')], graphs.length > 1 ? graphs : []);
  }
  const ggufs = listing.filter((f) => /\.gguf$/i.test(f.path) && !/-\d{5}-of-\d{5}\.gguf$/i.test(f.path)).map((f) => f.path);
  if (ggufs.length > 0) {
    const rank = (p: string) => {
      const i = GGUF_PREFERENCE.findIndex((q) => new RegExp(`[-._]${q}\\.gguf$`, 'i').test(p));
      return i < 0 ? GGUF_PREFERENCE.length : i;
    };
    const file = pick(ggufs, opts.variant, rank, repo);
    return done('gguf', at(file, file.split('/').pop()!), ggufs.length > 1 ? ggufs : []);
  }
  const split = listing.find((f) => /-\d{5}-of-\d{5}\.gguf$/i.test(f.path));
  if (split) throw new ModelFormatError(`${repo} offers only a split GGUF model (${split.path}), which we do not read: merge the parts (llama-gguf-split --merge) and load the file.`, { repo, file: split.path });
  throw new ModelFormatError(`${repo} holds no weights we load: expected model.safetensors (or an index and shards), model.onnx, onnx/*.onnx or a .gguf file. It has: ${listing.map((f) => f.path).slice(0, 20).join(', ')}.`, { repo });
}

/** An ONNX graph's external data files beside it (`<graph>_data`, `<graph>.data`, `<graph>_data_1`, ...), kept under their own names. */
function externalData(listing: readonly HubFile[], dir: string, graph: string): PlannedFile[] {
  const escaped = graph.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^${dir.replace('/', '\\/')}${escaped}(_data|\\.data)(_\\d+)?$`);
  return listing.filter((f) => re.test(f.path)).map((f) => ({ ...f, name: f.path.slice(dir.length) }));
}

/** The asked variant (must exist), else the best-ranked (lowest rank; ties by name). */
function pick(paths: string[], asked: string | undefined, rank: (p: string) => number, repo: string): string {
  if (asked !== undefined) {
    const hit = paths.find((p) => p === asked || p.split('/').pop() === asked);
    if (!hit) throw new ModelFormatError(`${repo} has no ${asked}; it offers ${paths.join(', ')}.`, { repo, file: asked, files: paths });
    return hit;
  }
  const r = (p: string) => (rank(p) < 0 ? Number.MAX_SAFE_INTEGER : rank(p));
  return [...paths].sort((a, b) => r(a) - r(b) || a.localeCompare(b))[0];
}
