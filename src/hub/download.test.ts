// Downloading a model from the mock Hub into the cache: chunked ranged requests through the
// /resolve/ redirect, resume after a dropped connection from the last chunk written, a damaged file
// refused and dropped alone, gated repos, the room left in the store, and a second load with the
// Hub gone. Loaded models are compared with the fixture's weights and run on the CPU route.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadChecksumError, HubAuthError, HubRequestError, StorageQuotaError } from '../errors';
import { readModelFolder } from '../model/load';
import { memoryFiles, type ModelFiles } from '../model/source';
import { readAllWeights, storedWeights } from '../model/weight-source';
import { fixtureGgufRepo, fixtureModel } from '../test/hub-fixture';
import { startMockHub, type MockHub } from '../test/mock-hub';
import { GGML } from '../model/gguf-quant';
import { Engine } from '../worker/engine';
import { deleteCachedModel, listCachedModels } from './cache';
import { chunkFor } from './download';
import { fsStore } from './fs-store';
import { downloadPlan, hubModelFiles, planHubDownload, type DownloadProgress } from './hub-model';
import { folderOf, MANIFEST, readManifest } from './manifest';
import { memoryStore } from './memory-store';
import { parseRepoId } from './repo-id';

const CHUNK = 64 << 10;
const single = fixtureModel(1);
const sharded = fixtureModel(2, 2);
let hub: MockHub;

beforeAll(async () => {
  hub = await startMockHub({ pageSize: 3 });
  hub.addRepo('test/tiny', single.files);
  hub.addRepo('test/tiny-sharded', sharded.files, { revision: 'v1' });
  hub.addRepo('test/gated', single.files, { gated: true });
});
afterAll(() => hub.close());

/** The requests made since `from` for one file of a repo (its /resolve/ and /cdn/ URLs). */
const fileRequests = (from: number, repo: string, path: string) => hub.requests.slice(from).filter((r) => r.path.startsWith(`/${repo}/resolve/`) || r.path.startsWith(`/cdn/${repo}/`)).filter((r) => r.path.endsWith(`/${path}`));

async function expectFixtureWeights(files: ModelFiles, fixture: typeof single) {
  const host = await readModelFolder(files);
  expect(host.config).toEqual(fixture.config);
  const weights = await readAllWeights(host.weights);
  expect([...weights.keys()].sort()).toEqual([...fixture.weights.keys()].sort());
  for (const [name, t] of fixture.weights) {
    expect(weights.get(name)!.shape).toEqual(t.shape);
    expect(weights.get(name)!.data).toEqual(t.data);
  }
}

describe('downloading a model from the Hub', () => {
  it('fetches every file in ranged chunks through the CDN redirect, reports progress, and loads the same weights; the CPU route computes the fixture logits', async () => {
    const store = memoryStore();
    const from = hub.requests.length;
    const progress: DownloadProgress[] = [];
    const plan = await planHubDownload('test/tiny-sharded@v1', { store, baseUrl: hub.url, chunkBytes: CHUNK, quant: 'q4', limits: { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 256 << 10 } });
    expect(plan.format).toBe('safetensors');
    expect(plan.files.map((f) => f.name).sort()).toEqual([...sharded.files.keys()].sort());
    expect(plan.totalBytes).toBe([...sharded.files.values()].reduce((s, b) => s + b.byteLength, 0));
    // config.json came first, so the estimate is there before the weights.
    expect(plan.config).toEqual(sharded.config);
    expect(plan.remainingBytes).toBe(plan.totalBytes - sharded.files.get('config.json')!.byteLength);
    // The embedding is kept in row shards that fit the 256 KiB binding (decision 44): nothing exceeds it.
    expect(plan.estimate!.exceeds).toEqual([]);
    expect(plan.estimate!.largest.tensor).toMatch(/^model\.embed_tokens\.weight\[0:\d+\]$/);
    expect(fileRequests(from, 'test/tiny-sharded', 'model-00001-of-00002.safetensors')).toEqual([]);

    const files = await downloadPlan(plan, { store, baseUrl: hub.url, chunkBytes: CHUNK, onProgress: (p) => progress.push(p) });
    const shard = 'model-00001-of-00002.safetensors';
    const size = sharded.files.get(shard)!.byteLength;
    expect(size).toBeGreaterThan(2 * CHUNK);
    const reqs = fileRequests(from, 'test/tiny-sharded', shard);
    // The first chunk asks /resolve/, which redirects; the redirect carries the Range on, later chunks go to the CDN directly.
    expect(reqs[0].path).toBe(`/test/tiny-sharded/resolve/v1/${shard}`);
    expect(reqs.slice(1).every((r) => r.path === `/cdn/test/tiny-sharded/v1/${shard}`)).toBe(true);
    expect(reqs.filter((r) => r.path.startsWith('/cdn/')).map((r) => r.range)).toEqual(Array.from({ length: Math.ceil(size / CHUNK) }, (_, i) => `bytes=${i * CHUNK}-${Math.min((i + 1) * CHUNK, size) - 1}`));
    // Progress: per file up to its size, overall never backwards and ending at the total.
    const last = progress.at(-1)!;
    expect(last.done).toBe(plan.totalBytes);
    expect(last.total).toBe(plan.totalBytes);
    expect(progress.every((p, i) => i === 0 || p.done >= progress[i - 1].done)).toBe(true);
    // One report as the file starts (0 bytes), then one per chunk.
    expect(progress.filter((p) => p.file === shard).map((p) => p.fileDone)).toEqual([0, ...Array.from({ length: Math.ceil(size / CHUNK) }, (_, i) => Math.min((i + 1) * CHUNK, size))]);
    await expectFixtureWeights(files, sharded);

    const engine = new Engine(() => undefined, { cpuThreads: 2, resolveSource: (spec) => (spec.kind === 'dir' ? (spec.path === 'hub' ? files : memoryFiles(sharded.files, 'fixture')) : null) });
    try {
      const ids = [[256, 72, 105, 33]];
      const info = await engine.loadModel({ kind: 'dir', path: 'hub' }, { quant: 'q4', backend: 'cpu' });
      expect(info.config.numLayers).toBe(2);
      const viaHub = (await engine.forward(ids)).logits;
      await engine.loadModel({ kind: 'dir', path: 'fixture' }, { quant: 'q4', backend: 'cpu' });
      const direct = (await engine.forward(ids)).logits;
      expect(viaHub[0]).toHaveLength(4 * sharded.config.vocabSize);
      expect(viaHub[0].every(Number.isFinite)).toBe(true);
      expect(viaHub).toEqual(direct);
    } finally {
      engine.dispose();
    }
  });

  it('resumes a dropped download from the last chunk written, asking only for the bytes it lacks', async () => {
    const store = fsStore(mkdtempSync(join(tmpdir(), 'alignscope-hub-')));
    const opts = { store, baseUrl: hub.url, chunkBytes: CHUNK };
    const size = single.files.get('model.safetensors')!.byteLength;
    hub.dropOnce('model.safetensors', 2 * CHUNK + 1000);
    await expect(hubModelFiles('test/tiny', opts)).rejects.toThrow(HubRequestError);
    const m = (await readManifest(store, parseRepoId('test/tiny')))!;
    const weights = m.files.find((f) => f.name === 'model.safetensors')!;
    expect(weights.done).toBe(2 * CHUNK);
    expect(weights.verified).toBe(false);
    expect(m.files.filter((f) => f.name !== 'model.safetensors').every((f) => f.verified)).toBe(true);
    expect(await store.size(folderOf(parseRepoId('test/tiny')), 'model.safetensors')).toBe(2 * CHUNK);

    // A new store over the same folder: what a restarted CLI or page sees.
    const from = hub.requests.length;
    const files = await hubModelFiles('test/tiny', { ...opts, store: fsStore(store.label) });
    const again = fileRequests(from, 'test/tiny', 'model.safetensors');
    expect(again[0]).toMatchObject({ path: '/test/tiny/resolve/main/model.safetensors', range: `bytes=${2 * CHUNK}-${3 * CHUNK - 1}` });
    const asked = again.filter((r) => r.path.startsWith('/cdn/')).map((r) => r.range!.match(/bytes=(\d+)-(\d+)/)!.slice(1).map(Number));
    expect(asked.reduce((s, [a, b]) => s + b - a + 1, 0)).toBe(size - 2 * CHUNK);
    expect(Math.min(...asked.map(([a]) => a))).toBe(2 * CHUNK);
    for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) expect(fileRequests(from, 'test/tiny', name)).toEqual([]);
    await expectFixtureWeights(files, single);
  });

  it('refuses a file damaged in transit with DownloadChecksumError naming it, drops only that file, and downloads only it again', async () => {
    const store = memoryStore();
    const opts = { store, baseUrl: hub.url, chunkBytes: CHUNK };
    hub.corruptOnce('model.safetensors', CHUNK + 7);
    const err = await hubModelFiles('test/tiny', opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadChecksumError);
    expect((err as DownloadChecksumError).data.file).toBe('model.safetensors');
    expect((err as Error).message).toMatch(/model\.safetensors of test\/tiny@main arrived damaged/);
    const folder = folderOf(parseRepoId('test/tiny'));
    expect(await store.files(folder)).not.toContain('model.safetensors');
    expect(await store.files(folder)).toEqual(expect.arrayContaining(['config.json', 'tokenizer.json', 'tokenizer_config.json']));
    const m = (await readManifest(store, parseRepoId('test/tiny')))!;
    expect(m.files.map((f) => [f.name, f.verified, f.done])).toContainEqual(['model.safetensors', false, 0]);

    const from = hub.requests.length;
    const files = await hubModelFiles('test/tiny', opts);
    expect(fileRequests(from, 'test/tiny', 'model.safetensors')[0].range).toBe(`bytes=0-${CHUNK - 1}`);
    for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) expect(fileRequests(from, 'test/tiny', name)).toEqual([]);
    await expectFixtureWeights(files, single);
  });

  it('needs a token for a gated repo (401 without, 403 with a wrong one) and never stores it', async () => {
    const store = memoryStore();
    const without = await hubModelFiles('test/gated', { store, baseUrl: hub.url }).catch((e: unknown) => e);
    expect(without).toBeInstanceOf(HubAuthError);
    expect((without as HubAuthError).data).toMatchObject({ repo: 'test/gated', status: 401 });
    expect((without as Error).message).toMatch(/gated or private.*access token/);
    const wrong = await hubModelFiles('test/gated', { store, baseUrl: hub.url, token: 'hf_wrong' }).catch((e: unknown) => e);
    expect((wrong as HubAuthError).data.status).toBe(403);

    const from = hub.requests.length;
    const files = await hubModelFiles('test/gated', { store, baseUrl: hub.url, token: hub.token, chunkBytes: CHUNK });
    await expectFixtureWeights(files, single);
    const sent = hub.requests.slice(from).filter((r) => !r.path.startsWith('/cdn/'));
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => r.authorization === `Bearer ${hub.token}`)).toBe(true);
    const folder = folderOf(parseRepoId('test/gated'));
    for (const name of await store.files(folder)) expect(new TextDecoder().decode(await store.read(folder, name))).not.toContain(hub.token);
  });

  it('says how many bytes the store lacks before downloading the weights', async () => {
    const total = [...single.files.values()].reduce((s, b) => s + b.byteLength, 0);
    const store = memoryStore({ quotaBytes: total - 1000 });
    const err = await hubModelFiles('test/tiny', { store, baseUrl: hub.url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageQuotaError);
    const { need, available, missing } = (err as StorageQuotaError).data as Record<string, number>;
    expect(need).toBe(total - single.files.get('config.json')!.byteLength);
    expect(missing).toBe(need - available);
    expect(missing).toBeGreaterThan(0);
    expect((err as Error).message).toContain(`${missing} bytes are missing`);
    expect(await store.size(folderOf(parseRepoId('test/tiny')), 'model.safetensors')).toBe(0);
  });

  it('loads a downloaded model again with the Hub stopped, lists the cache, and deletes a model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alignscope-hub-'));
    const second = await startMockHub();
    second.addRepo('test/offline', single.files);
    await hubModelFiles('test/offline@main', { store: fsStore(dir), baseUrl: second.url, chunkBytes: CHUNK });
    await second.close();
    const files = await hubModelFiles('test/offline@main', { store: fsStore(dir), baseUrl: second.url });
    expect(files.label).toBe('hub:test/offline@main');
    await expectFixtureWeights(files, single);
    const total = [...single.files.values()].reduce((s, b) => s + b.byteLength, 0);
    expect(await listCachedModels(fsStore(dir))).toEqual([{ repo: 'test/offline', revision: 'main', format: 'safetensors', bytes: total, totalBytes: total, complete: true }]);
    // Another revision is not the cached one: it needs the (stopped) Hub.
    await expect(hubModelFiles('test/offline@v2', { store: fsStore(dir), baseUrl: second.url })).rejects.toThrow(HubRequestError);
    await deleteCachedModel(fsStore(dir), parseRepoId('test/offline'));
    expect(await listCachedModels(fsStore(dir))).toEqual([]);
  });

  it("the engine loads { kind: 'hub' } sources through its hub store, reporting a 'download' stage, and the second time from the cache", async () => {
    const store = memoryStore();
    const engine = new Engine(() => undefined, { cpuThreads: 2, hubStore: store });
    try {
      const stages: string[] = [];
      engine.onEvent((e) => void (e.kind === 'load-progress' && stages.push(e.stage)));
      const spec = { kind: 'hub', id: 'test/tiny', baseUrl: hub.url } as const;
      const info = await engine.loadModel(spec, { quant: 'q8', backend: 'cpu' });
      expect(info.name).toBe('hub:test/tiny@main');
      expect(stages[0]).toBe('download');
      expect(stages).toContain('weights');
      const logits = (await engine.forward([[256, 72, 105]])).logits;
      const from = hub.requests.length;
      await engine.loadModel(spec, { quant: 'q8', backend: 'cpu' });
      expect(hub.requests.length).toBe(from);
      expect((await engine.forward([[256, 72, 105]])).logits).toEqual(logits);
    } finally {
      engine.dispose();
    }
  });

  it("the engine's plan gives files, cached bytes, bytes left and the GPU memory per quantization before any weight is fetched; its cache list and delete see the same store", async () => {
    const store = memoryStore({ quotaBytes: 1 << 30 });
    const engine = new Engine(() => undefined, { cpuThreads: 1, hubStore: store });
    try {
      const from = hub.requests.length;
      const plan = await engine.planHubModel({ kind: 'hub', id: 'test/tiny', baseUrl: hub.url });
      expect(fileRequests(from, 'test/tiny', 'model.safetensors')).toEqual([]);
      const total = [...single.files.values()].reduce((s, b) => s + b.byteLength, 0);
      const config = single.files.get('config.json')!.byteLength;
      expect(plan).toMatchObject({ repo: 'test/tiny', revision: 'main', format: 'safetensors', totalBytes: total, remainingBytes: total - config, complete: false, limits: null, variant: null });
      expect(plan.files.find((f) => f.path === 'config.json')).toMatchObject({ done: config, verified: true });
      // The room left after config.json and the manifest went in.
      expect(plan.available).toBe((1 << 30) - config - (await store.size(folderOf(parseRepoId('test/tiny')), MANIFEST)));
      const { q4, q8, f32 } = plan.estimates!;
      expect(q4.weightBytes).toBeLessThan(q8.weightBytes);
      expect(q8.weightBytes).toBeLessThan(f32.weightBytes);
      expect(f32.parameters).toBe(q4.parameters);

      await engine.loadModel({ kind: 'hub', id: 'test/tiny', baseUrl: hub.url }, { quant: 'q8', backend: 'cpu' });
      expect((await engine.planHubModel({ kind: 'hub', id: 'test/tiny', baseUrl: hub.url })).complete).toBe(true);
      expect(await engine.listHubCache()).toEqual([{ repo: 'test/tiny', revision: 'main', format: 'safetensors', bytes: total, totalBytes: total, complete: true }]);
      expect(await engine.deleteHubModel('test/tiny@main')).toEqual([]);
      expect(await store.folders()).toEqual([]);
    } finally {
      engine.dispose();
    }
  });

  it('fetches a file in a sixteenth of its size per request, between 64 KiB and 16 MiB, unless told', () => {
    expect(chunkFor(1000)).toBe(64 << 10);
    expect(chunkFor(16 << 20)).toBe(1 << 20);
    expect(chunkFor(4e9)).toBe(16 << 20);
  });

  it('takes the Q8_0 file of a repo of several GGUF files unless told otherwise, and loads it from the cache', async () => {
    hub.addRepo('test/tiny-gguf', fixtureGgufRepo(single, [GGML.F32, GGML.Q8_0]));
    const store = memoryStore();
    const plan = await planHubDownload('test/tiny-gguf', { store, baseUrl: hub.url });
    expect(plan.format).toBe('gguf');
    expect(plan.alternatives).toEqual(['tiny-F32.gguf', 'tiny-Q8_0.gguf']);
    expect(plan.estimate).toBeNull();
    const f32 = await readModelFolder(await hubModelFiles('test/tiny-gguf', { store: memoryStore(), baseUrl: hub.url, variant: 'tiny-F32.gguf' }));
    expect(f32.weightsFile).toBe('tiny-F32.gguf');
    const host = await readModelFolder(await downloadPlan(plan, { store, baseUrl: hub.url }));
    expect(host.weightsFormat).toBe('gguf');
    expect(host.weightsFile).toBe('tiny-Q8_0.gguf');
    expect(host.config).toEqual(f32.config);
    expect((await storedWeights(host.weights, 'q8')).size).toBeGreaterThan(0);
  });
});
