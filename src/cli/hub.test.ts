// `--model hub:owner/name@revision` as a user runs it: the CLI (a real Node process) downloads from
// the mock Hub into $ALIGNSCOPE_CACHE and generates on the CPU route; run again with the Hub gone,
// it loads from the cache and gives the same tokens.

import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HubAuthError } from '../errors';
import { readModelFolder } from '../model/load';
import { fixtureModel } from '../test/hub-fixture';
import { startMockHub } from '../test/mock-hub';
import { hubFiles } from './dir-source';

const run = promisify(execFile);
const BIN = new URL('../../bin/alignscope.mjs', import.meta.url).pathname;

describe('alignscope --model hub:...', () => {
  it('downloads once, then generates the same tokens from the cache with the Hub stopped', async () => {
    const hub = await startMockHub();
    hub.addRepo('test/tiny', fixtureModel(3).files);
    const env = { ...process.env, ALIGNSCOPE_CACHE: mkdtempSync(join(tmpdir(), 'alignscope-cli-hub-')), HF_TOKEN: '' };
    const args = ['generate', '--model', 'hub:test/tiny@main', '--hub-url', hub.url, '--backend', 'cpu', '--quant', 'q4', '--max-new-tokens', '4', '--json', 'Hello'];
    const cli = () => run(process.execPath, [BIN, ...args], { env, timeout: 120_000 });
    const first = await cli();
    expect(first.stderr).toMatch(/test\/tiny@main: safetensors, 4 files/);
    expect(first.stderr).toMatch(/100% model\.safetensors/);
    expect(hub.requests.some((r) => r.path === '/cdn/test/tiny/main/model.safetensors')).toBe(true);
    await hub.close();
    const second = await cli();
    expect(second.stderr).not.toMatch(/to download/);
    const a = JSON.parse(first.stdout);
    expect(a.tokens).toHaveLength(4);
    expect(JSON.parse(second.stdout).tokens).toEqual(a.tokens);
  }, 180_000);

  it('takes the token given (the CLI passes $HF_TOKEN) for a gated repo, and refuses without it', async () => {
    const hub = await startMockHub();
    const fixture = fixtureModel(4);
    hub.addRepo('test/gated', fixture.files, { gated: true });
    try {
      const cacheDir = mkdtempSync(join(tmpdir(), 'alignscope-cli-hub-'));
      await expect(hubFiles('hub:test/gated', { baseUrl: hub.url, cacheDir, token: '' })).rejects.toThrow(HubAuthError);
      const host = await readModelFolder(await hubFiles('hub:test/gated', { baseUrl: hub.url, cacheDir, token: hub.token }));
      expect(host.config).toEqual(fixture.config);
    } finally {
      await hub.close();
    }
  });
});
