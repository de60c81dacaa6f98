// A stand-in for the Hugging Face Hub (unreachable from tests): a real HTTP server on 127.0.0.1
// with the routes our client uses.
//   GET /api/models/{owner}/{name}/tree/{rev}?recursive=true[&cursor=N]  the listing, `pageSize`
//       entries a page with a `Link: <...>; rel="next"` header; directories listed as the Hub does
//   GET /{owner}/{name}/resolve/{rev}/{path}  small files served, LFS files (weights) redirected
//       with 302 to /cdn/... as the Hub redirects to its CDN
//   GET /cdn/{owner}/{name}/{rev}/{path}      the bytes, honouring `Range: bytes=a-b` (206)
// A gated repo answers 401 without `Authorization: Bearer <token>` and 403 with a wrong one. Faults
// for tests, each used once: drop the connection after a byte of a file, corrupt a byte of a file.
// Every request is recorded (path, Range and Authorization headers). Answers carry CORS headers as
// the Hub's do, so a page on another origin (the app under vite preview) can use it: any origin,
// Authorization and Range allowed (preflights answered), Content-Range and Link readable.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface RecordedRequest {
  method: string;
  path: string;
  range?: string;
  authorization?: string;
}

export interface MockRepoOptions {
  revision?: string;
  /** Needs `Authorization: Bearer <token>`. */
  gated?: boolean;
}

export interface MockHub {
  /** The base URL (no trailing slash), what the client's baseUrl takes. */
  url: string;
  /** The token a gated repo accepts. */
  token: string;
  requests: RecordedRequest[];
  addRepo(repo: string, files: Map<string, Uint8Array>, opts?: MockRepoOptions): void;
  /**
   * A repo of a folder's files (multi-GB weights): LFS files are streamed from disk (Range
   * honoured; no faults), their SHA-256 computed once and cached beside each as `<file>.sha256`;
   * the small files are read into memory as with addRepo.
   */
  addRepoFromDir(repo: string, dir: string, opts?: MockRepoOptions): Promise<void>;
  /** The next response carrying byte `at` of `path` closes the connection just before it. */
  dropOnce(path: string, at: number): void;
  /** The next response carrying byte `at` of `path` sends it with its bits flipped. */
  corruptOnce(path: string, at: number): void;
  close(): Promise<void>;
}

interface Repo {
  files: Map<string, Uint8Array>;
  gated: boolean;
  /** LFS files served from disk (addRepoFromDir). */
  disk?: Map<string, DiskFile>;
}

interface DiskFile {
  file: string;
  size: number;
  sha256: string;
}

/** A file's SHA-256, read from `<file>.sha256` when that was written for the same size and mtime, else computed streaming and cached. */
async function cachedSha256(file: string): Promise<string> {
  const { size, mtimeMs } = await stat(file);
  const cache = `${file}.sha256`;
  const cached = await readFile(cache, 'utf8').then((t) => JSON.parse(t) as { size: number; mtimeMs: number; sha256: string }, () => null);
  if (cached && cached.size === size && cached.mtimeMs === mtimeMs) return cached.sha256;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 8 << 20 })) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  await writeFile(cache, JSON.stringify({ size, mtimeMs, sha256 }));
  return sha256;
}

/** Files the Hub keeps in LFS (its tree API gives them an `lfs` entry with the SHA-256). */
const isLfs = (path: string) => /\.(safetensors|gguf|onnx|onnx_data|bin)$/.test(path);

export async function startMockHub(opts: { pageSize?: number; token?: string } = {}): Promise<MockHub> {
  const repos = new Map<string, Repo>();
  const requests: RecordedRequest[] = [];
  const faults: { kind: 'drop' | 'corrupt'; path: string; at: number }[] = [];
  const token = opts.token ?? 'hf_mock_token';
  const pageSize = opts.pageSize ?? 1000;
  let base = '';

  const authorised = (repo: Repo, req: IncomingMessage, res: ServerResponse): boolean => {
    if (!repo.gated) return true;
    const auth = req.headers.authorization;
    if (auth === `Bearer ${token}`) return true;
    res.writeHead(auth ? 403 : 401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'Access to this repo is restricted.' }));
    return false;
  };

  const tree = (repo: Repo, url: URL, res: ServerResponse) => {
    const entries: Record<string, unknown>[] = [];
    const dirs = new Set<string>();
    for (const path of [...repo.files.keys(), ...(repo.disk?.keys() ?? [])].sort((a, b) => a.localeCompare(b))) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        if (!dirs.has(dir)) (dirs.add(dir), entries.push({ type: 'directory', oid: '0'.repeat(40), size: 0, path: dir }));
      }
      const disk = repo.disk?.get(path);
      if (disk) {
        // As the Hub: the git oid of an LFS file is that of its pointer file.
        const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${disk.sha256}\nsize ${disk.size}\n`;
        const oid = createHash('sha1').update(`blob ${pointer.length}\0${pointer}`).digest('hex');
        entries.push({ type: 'file', oid, size: disk.size, path, lfs: { oid: disk.sha256, size: disk.size, pointerSize: pointer.length } });
        continue;
      }
      const bytes = repo.files.get(path)!;
      const gitOid = createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
      const entry: Record<string, unknown> = { type: 'file', oid: gitOid, size: bytes.byteLength, path };
      if (isLfs(path)) entry.lfs = { oid: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength, pointerSize: 134 };
      entries.push(entry);
    }
    const cursor = Number(url.searchParams.get('cursor') ?? 0);
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (cursor + pageSize < entries.length) {
      const next = new URL(`${base}${url.pathname}`);
      next.searchParams.set('recursive', 'true');
      next.searchParams.set('cursor', String(cursor + pageSize));
      headers.Link = `<${next}>; rel="next"`;
    }
    res.writeHead(200, headers).end(JSON.stringify(entries.slice(cursor, cursor + pageSize)));
  };

  const serveBytes = (path: string, bytes: Uint8Array, req: IncomingMessage, res: ServerResponse) => {
    let start = 0;
    let end = bytes.byteLength - 1;
    let status = 200;
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (m) {
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), bytes.byteLength - 1) : bytes.byteLength - 1;
      if (start > end) {
        res.writeHead(416, { 'Content-Range': `bytes */${bytes.byteLength}` }).end();
        return;
      }
      status = 206;
    }
    let body = Buffer.from(bytes.subarray(start, end + 1));
    const headers: Record<string, string | number> = { 'Content-Length': body.byteLength, 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
    if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${bytes.byteLength}`;
    const fault = faults.findIndex((f) => f.path === path && f.at >= start && f.at <= end);
    if (fault >= 0) {
      const f = faults.splice(fault, 1)[0];
      if (f.kind === 'corrupt') {
        body = Buffer.from(body);
        body[f.at - start] ^= 0xff;
      } else {
        // Headers promise the whole range; half of it arrives, then the connection is gone.
        res.writeHead(status, headers);
        res.write(body.subarray(0, f.at - start), () => res.socket?.destroy());
        return;
      }
    }
    res.writeHead(status, headers).end(body);
  };

  const serveDisk = (f: DiskFile, req: IncomingMessage, res: ServerResponse) => {
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m?.[2] ? Math.min(Number(m[2]), f.size - 1) : f.size - 1;
    if (start > end) return void res.writeHead(416, { 'Content-Range': `bytes */${f.size}` }).end();
    const headers: Record<string, string | number> = { 'Content-Length': end - start + 1, 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
    if (m) headers['Content-Range'] = `bytes ${start}-${end}/${f.size}`;
    res.writeHead(m ? 206 : 200, headers);
    createReadStream(f.file, { start, end }).pipe(res);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, range: req.headers.range, authorization: req.headers.authorization });
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Accept-Ranges, Link');
    // The page is cross-origin isolated (COEP require-corp): its fetches are CORS ones, which pass.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Allow-Headers': 'Authorization, Range, Accept', 'Access-Control-Max-Age': '600' }).end();
      return;
    }
    const segs = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    // /api/models/{owner}/{name}/tree/{rev}
    if (segs[0] === 'api' && segs[1] === 'models' && segs[4] === 'tree' && segs.length === 6) {
      const repo = repos.get(`${segs[2]}/${segs[3]}@${segs[5]}`);
      if (!repo) return void res.writeHead(404).end(JSON.stringify({ error: 'Repository not found' }));
      if (authorised(repo, req, res)) tree(repo, url, res);
      return;
    }
    // /{owner}/{name}/resolve/{rev}/{path...}
    if (segs[2] === 'resolve' && segs.length >= 5) {
      const repo = repos.get(`${segs[0]}/${segs[1]}@${segs[3]}`);
      const path = segs.slice(4).join('/');
      const bytes = repo?.files.get(path);
      if (!repo || !(bytes || repo.disk?.has(path))) return void res.writeHead(404).end('Entry not found');
      if (!authorised(repo, req, res)) return;
      if (isLfs(path)) return void res.writeHead(302, { Location: `/cdn/${segs.slice(0, 2).join('/')}/${encodeURIComponent(segs[3])}/${segs.slice(4).map(encodeURIComponent).join('/')}` }).end();
      return serveBytes(path, bytes!, req, res);
    }
    // /cdn/{owner}/{name}/{rev}/{path...}: signed URLs on the real CDN, so no token check here
    if (segs[0] === 'cdn' && segs.length >= 5) {
      const path = segs.slice(4).join('/');
      const disk = repos.get(`${segs[1]}/${segs[2]}@${segs[3]}`)?.disk?.get(path);
      if (disk) return serveDisk(disk, req, res);
      const bytes = repos.get(`${segs[1]}/${segs[2]}@${segs[3]}`)?.files.get(path);
      if (!bytes) return void res.writeHead(404).end('not found');
      return serveBytes(path, bytes, req, res);
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    token,
    requests,
    addRepo: (repo, files, o = {}) => void repos.set(`${repo}@${o.revision ?? 'main'}`, { files, gated: o.gated ?? false }),
    async addRepoFromDir(repo, dir, o = {}) {
      const files = new Map<string, Uint8Array>();
      const disk = new Map<string, DiskFile>();
      for (const path of (await readdir(dir, { recursive: true })).sort()) {
        const file = join(dir, path);
        if (path.endsWith('.sha256') || !(await stat(file)).isFile()) continue;
        if (isLfs(path)) disk.set(path, { file, size: (await stat(file)).size, sha256: await cachedSha256(file) });
        else files.set(path, new Uint8Array(await readFile(file)));
      }
      repos.set(`${repo}@${o.revision ?? 'main'}`, { files, gated: o.gated ?? false, disk });
    },
    dropOnce: (path, at) => void faults.push({ kind: 'drop', path, at }),
    corruptOnce: (path, at) => void faults.push({ kind: 'corrupt', path, at }),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
