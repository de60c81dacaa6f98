// alignscope — the engine from the command line (Node, WebGPU through Dawn; SwiftShader without a GPU).
//
//   alignscope generate --model DIR "prompt"      greedy (or --temperature/--top-k) continuation
//   alignscope embed --model DIR "s1" "s2" ...     one vector per sentence per layer (--json)
// --model takes a folder (config.json, tokenizer.json, model.safetensors or model.onnx) or
// random[:SEED] for the random tiny test model. Errors print their name and what to do; exit 1.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { WeightQuant } from '../model/decoder';
import { nodeGpu } from '../gpu/node-gpu';
import { Engine, type ModelSourceSpec } from '../worker/engine';
import { dirFiles } from './dir-source';

const USAGE = `usage:
  alignscope generate --model DIR|random[:SEED] [--quant q4|q8|f32] [--max-new-tokens N] [--temperature T] [--top-k K] [--seed S] [--json] PROMPT
  alignscope embed    --model DIR|random[:SEED] [--quant q4|q8|f32] [--layers all|0,2,4] [--pooling mean|last] [--file FILE] [--json] [SENTENCE ...]`;

const OPTIONS = {
  model: { type: 'string' },
  quant: { type: 'string', default: 'q4' },
  'max-new-tokens': { type: 'string', default: '32' },
  temperature: { type: 'string', default: '0' },
  'top-k': { type: 'string', default: '40' },
  seed: { type: 'string', default: '1' },
  layers: { type: 'string', default: 'all' },
  pooling: { type: 'string', default: 'mean' },
  file: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

class UsageError extends Error {}

function sourceOf(model: string | undefined): ModelSourceSpec {
  if (!model) throw new UsageError('--model is required');
  const random = /^random(?::(\d+))?$/.exec(model);
  return random ? { kind: 'random', seed: Number(random[1] ?? 1) } : { kind: 'dir', path: model };
}

function quantOf(q: string): WeightQuant {
  if (q !== 'q4' && q !== 'q8' && q !== 'f32') throw new UsageError(`--quant must be q4, q8 or f32, not ${q}`);
  return q;
}

function int(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not ${v}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const engine = new Engine(() => nodeGpu(), { resolveSource: (s) => (s.kind === 'dir' ? dirFiles(s.path) : null) });
  try {
    const info = await engine.loadModel(sourceOf(values.model), { quant: quantOf(values.quant) });
    if (!values.json) console.error(`loaded ${info.name}: ${info.architecture}, ${(info.parameters / 1e6).toFixed(2)}M parameters, ${info.quant}`);
    if (command === 'generate') {
      const prompt = rest.join(' ');
      if (!values.json) engine.onEvent((e) => e.kind === 'generate-text' && process.stdout.write(e.piece));
      const out = await engine.generate(prompt, {
        maxNewTokens: int('max-new-tokens', values['max-new-tokens']),
        temperature: int('temperature', values.temperature),
        topK: int('top-k', values['top-k']),
        seed: int('seed', values.seed),
      });
      console.log(values.json ? JSON.stringify({ prompt, ...out }) : '');
      return 0;
    }
    if (command === 'embed') {
      const sentences = values.file ? readFileSync(values.file, 'utf8').split('\n').filter((l) => l.trim()) : rest;
      if (sentences.length === 0) throw new UsageError('give sentences as arguments or --file FILE (one per line)');
      const L = info.config.numLayers;
      const layers = values.layers === 'all' ? Array.from({ length: L + 1 }, (_, i) => i) : values.layers.split(',').map((v) => int('layers', v));
      const pooling = values.pooling === 'last' ? 'last' : values.pooling === 'mean' ? 'mean' : null;
      if (!pooling) throw new UsageError(`--pooling must be mean or last, not ${values.pooling}`);
      const res = await engine.embed(sentences, { layers, pooling });
      const rows = (l: number) => sentences.map((_, i) => Array.from(res.vectors[l].subarray(i * res.dim, (i + 1) * res.dim)));
      if (values.json) {
        console.log(JSON.stringify({ model: info.name, pooling, dim: res.dim, sentences, layers: Object.fromEntries(res.layers.map((l, j) => [l, rows(j)])) }));
      } else {
        for (const [j, l] of res.layers.entries()) {
          const norms = rows(j).map((v) => Math.hypot(...v).toFixed(3));
          console.log(`layer ${l}: ${sentences.length} x ${res.dim}, norms ${norms.join(' ')}`);
        }
      }
      return 0;
    }
    throw new UsageError(`unknown command ${command}`);
  } finally {
    engine.dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    if (e instanceof UsageError || e.name === 'TypeError' && /parseArgs|Unknown option/.test(e.message)) {
      console.error(`alignscope: ${e.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(`alignscope: ${e.name}: ${e.message}`);
    process.exit(1);
  },
);
