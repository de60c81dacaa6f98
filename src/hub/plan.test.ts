// Before any download: repo ids, the tree listing over the mock Hub (pages, directories, LFS
// checksums), which files make the model, and the GPU memory a config will take.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubRepoIdError, ModelFormatError } from '../errors';
import { parseHfConfig } from '../model/config';
import { fixtureModel } from '../test/hub-fixture';
import { startMockHub, type MockHub } from '../test/mock-hub';
import { chooseFiles } from './choose-files';
import { estimateMemory } from './estimate';
import { listRepoFiles, nextLink, type HubFile } from './hub-api';
import { parseRepoId } from './repo-id';

describe('repo ids', () => {
  it('takes owner/name with main as the default revision, and owner/name@revision', () => {
    expect(parseRepoId('Qwen/Qwen2.5-0.5B-Instruct')).toEqual({ repo: 'Qwen/Qwen2.5-0.5B-Instruct', revision: 'main' });
    expect(parseRepoId('Qwen/Qwen2.5-0.5B-Instruct@main')).toEqual({ repo: 'Qwen/Qwen2.5-0.5B-Instruct', revision: 'main' });
    expect(parseRepoId('hub:meta-llama/Llama-3.2-1B@refs/pr/12')).toEqual({ repo: 'meta-llama/Llama-3.2-1B', revision: 'refs/pr/12' });
    expect(parseRepoId(' a_b/c.d@0123abc ')).toEqual({ repo: 'a_b/c.d', revision: '0123abc' });
  });

  it.each(['Qwen2.5-0.5B', 'a/b/c', '/name', 'owner/', 'own er/name', 'owner/na--me', 'owner/-name', 'owner/name.', 'owner/name@', 'owner/name@a/../b', 'owner/name@x y'])('refuses %j with HubRepoIdError', (id) => {
    expect(() => parseRepoId(id)).toThrow(HubRepoIdError);
    try {
      parseRepoId(id);
    } catch (e) {
      expect((e as HubRepoIdError).data.id).toBe(id);
      expect((e as Error).message).toMatch(/owner\/name@revision/);
    }
  });
});

describe('listing a repo through the tree API', () => {
  let hub: MockHub;
  const model = fixtureModel(1, 2);
  beforeAll(async () => {
    hub = await startMockHub({ pageSize: 2 });
    const files = new Map(model.files);
    files.set('onnx/model_q4.onnx', new Uint8Array([1, 2, 3]));
    hub.addRepo('test/sharded', files);
  });
  afterAll(() => hub.close());

  it('follows Link pages, leaves directories out, and gives LFS files their SHA-256 and small files their git blob id', async () => {
    const files = await listRepoFiles(parseRepoId('test/sharded'), { baseUrl: hub.url });
    expect(files.map((f) => f.path).sort()).toEqual([...model.files.keys(), 'onnx/model_q4.onnx'].sort());
    // 7 files and 1 directory at 2 entries a page.
    expect(hub.requests.filter((r) => r.path.startsWith('/api/models/test/sharded/tree/main')).length).toBe(4);
    const shard = files.find((f) => f.path === 'model-00001-of-00002.safetensors')!;
    expect(shard.size).toBe(model.files.get(shard.path)!.byteLength);
    expect(shard.sha256).toMatch(/^[0-9a-f]{64}$/);
    const config = files.find((f) => f.path === 'config.json')!;
    expect(config.sha256).toBeUndefined();
    expect(config.gitOid).toMatch(/^[0-9a-f]{40}$/);
  });

  it('reads rel="next" among other links', () => {
    expect(nextLink('<https://h/a?cursor=1>; rel="prev", <https://h/a?cursor=3>; rel="next"')).toBe('https://h/a?cursor=3');
    expect(nextLink('<https://h/a?cursor=1>; rel="prev"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });
});

describe('choosing the files of a model', () => {
  const f = (path: string, size = 10): HubFile => ({ path, size, sha256: path.endsWith('.json') ? undefined : 'x' });
  const common = [f('config.json', 1), f('tokenizer.json', 2), f('tokenizer_config.json', 3), f('README.md', 100), f('.gitattributes', 100)];

  it('takes one model.safetensors with config and tokenizer files, before a GGUF in the same repo', () => {
    const c = chooseFiles([...common, f('model.safetensors', 1000), f('model-Q4_0.gguf', 500)], 'r');
    expect(c.format).toBe('safetensors');
    expect(c.files.map((x) => x.name)).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']);
    expect(c.totalBytes).toBe(1006);
  });

  it('takes an index with all its shards', () => {
    const c = chooseFiles([...common, f('model.safetensors.index.json', 4), f('model-00002-of-00002.safetensors', 20), f('model-00001-of-00002.safetensors', 30)], 'r');
    expect(c.format).toBe('safetensors');
    expect(c.files.map((x) => x.name).slice(3)).toEqual(['model.safetensors.index.json', 'model-00002-of-00002.safetensors', 'model-00001-of-00002.safetensors']);
    expect(c.totalBytes).toBe(1 + 2 + 3 + 4 + 20 + 30);
  });

  it('takes our model.onnx with its external data, or an onnx-community graph renamed model.onnx', () => {
    const ours = chooseFiles([...common, f('model.onnx', 50), f('model.onnx_data', 900)], 'r');
    expect(ours.files.map((x) => x.name)).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.onnx_data', 'model.onnx']);
    const community = chooseFiles([...common, f('onnx/model.onnx', 40), f('onnx/model_q4.onnx', 30), f('onnx/model_q4.onnx_data', 300), f('onnx/model.onnx_data', 400)], 'r');
    expect(community.format).toBe('onnx');
    expect(community.files.slice(3).map((x) => [x.path, x.name])).toEqual([
      ['onnx/model_q4.onnx_data', 'model_q4.onnx_data'],
      ['onnx/model_q4.onnx', 'model.onnx'],
    ]);
    expect(community.alternatives).toEqual(['onnx/model.onnx', 'onnx/model_q4.onnx']);
    expect(chooseFiles([...common, f('onnx/model.onnx'), f('onnx/model_q4.onnx')], 'r', { variant: 'model.onnx' }).files.at(-1)!.path).toBe('onnx/model.onnx');
  });

  it('lists several GGUF files, takes Q4_0 unless told, and refuses a name it does not have', () => {
    const ggufs = [f('qwen2.5-0.5b-instruct-fp16.gguf'), f('qwen2.5-0.5b-instruct-q8_0.gguf'), f('qwen2.5-0.5b-instruct-q4_k_m.gguf'), f('qwen2.5-0.5b-instruct-q4_0.gguf')];
    const c = chooseFiles([...common, ...ggufs], 'r');
    expect(c.format).toBe('gguf');
    expect(c.files.map((x) => x.path)).toEqual(['qwen2.5-0.5b-instruct-q4_0.gguf']);
    expect(c.alternatives).toHaveLength(4);
    expect(chooseFiles([...common, ...ggufs.filter((g) => !/q4_0/.test(g.path))], 'r').files[0].path).toBe('qwen2.5-0.5b-instruct-q8_0.gguf');
    expect(chooseFiles([...common, ...ggufs], 'r', { variant: 'qwen2.5-0.5b-instruct-q4_k_m.gguf' }).files[0].name).toBe('qwen2.5-0.5b-instruct-q4_k_m.gguf');
    expect(() => chooseFiles([...common, ...ggufs], 'r', { variant: 'x.gguf' })).toThrow(/has no x\.gguf; it offers/);
    expect(chooseFiles([...common, f('sub/model-Q8_0.gguf')], 'r').files[0].name).toBe('model-Q8_0.gguf');
  });

  it('refuses a repo with only split GGUF parts or no weights, naming what it has', () => {
    expect(() => chooseFiles([...common, f('m-00001-of-00002.gguf'), f('m-00002-of-00002.gguf')], 'r')).toThrow(/split GGUF/);
    expect(() => chooseFiles([...common, f('pytorch_model.bin')], 'r')).toThrow(ModelFormatError);
    expect(() => chooseFiles([...common, f('pytorch_model.bin')], 'r')).toThrow(/pytorch_model\.bin/);
  });
});

describe('memory estimate before downloading', () => {
  // Qwen2.5-0.5B's config.json (the parts we read).
  const qwen = parseHfConfig({
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    vocab_size: 151936,
    hidden_size: 896,
    intermediate_size: 4864,
    num_hidden_layers: 24,
    num_attention_heads: 14,
    num_key_value_heads: 2,
    max_position_embeddings: 32768,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
    tie_word_embeddings: true,
    torch_dtype: 'bfloat16',
  });
  // 494,032,768 parameters; linears 24 x 14,909,440; the rest (embedding, norms, biases) stays f32.
  const linear = 357_826_560;
  const rest = 494_032_768 - linear;

  it('counts the parameters and the bytes at f32, q8 (36 bytes / 32 weights) and q4 (20 / 32); q4/q8 pack the 152k-row vocabulary too (decision 44)', () => {
    const embed = 151936 * 896;
    const f32 = estimateMemory(qwen, 'f32');
    expect(f32.parameters).toBe(494_032_768);
    expect(f32.weightBytes).toBe(494_032_768 * 4);
    expect(estimateMemory(qwen, 'q8').weightBytes).toBe((linear + embed) * 1.125 + (rest - embed) * 4);
    expect(estimateMemory(qwen, 'q4').weightBytes).toBe((linear + embed) * 0.625 + (rest - embed) * 4);
    expect(f32.largest).toEqual({ tensor: 'model.embed_tokens.weight', bytes: embed * 4 });
  });

  it('says which buffer exceeds which limit; the vocabulary never does, kept in row shards that fit the binding', () => {
    const e = estimateMemory(qwen, 'f32', { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 128 << 20 });
    expect(e.exceeds).toEqual([]);
    // min(128 MiB / (4 · 896) rows, 128 MiB / (4 · 2048) logit rows) = 16,384 rows a shard.
    expect(e.largest).toEqual({ tensor: 'model.embed_tokens.weight[0:16384]', bytes: 16384 * 896 * 4 });
    const small = estimateMemory(qwen, 'f32', { maxBufferSize: 8 << 20, maxStorageBufferBindingSize: 8 << 20 });
    // gate/up/down (4864 x 896 x 4 = 16.6 MiB) of each layer, on both limits.
    expect(small.exceeds.map((x) => x.tensor)).toContain('model.layers.23.mlp.down_proj.weight');
    expect(small.exceeds).toHaveLength(2 * 24 * 3);
    expect(estimateMemory(qwen, 'q4', { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 1 << 30 }).exceeds).toEqual([]);
    expect(estimateMemory(qwen, 'q4', { maxBufferSize: 8 << 20, maxStorageBufferBindingSize: 8 << 20 }).exceeds).toEqual([]);
  });
});
