import { describe, expect, it } from 'vitest';
import { deserializeError, ModelFormatError, serializeError, UnsupportedModelError } from '../errors';
import { parseHfConfig } from './config';
import { checkAgainstConfig, f16ToF32, parseSafetensorsHeader, readSafetensors, writeSafetensors } from './safetensors';
import { expectedWeights, type HostTensor } from './weights';

const FILE = 'model.safetensors';
const REDOWNLOAD = 'download it again';

/** A safetensors file built by hand (independent of writeSafetensors): length field, header text, data. */
function buildFile(header: unknown, data: Uint8Array = new Uint8Array(0), lengthField?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthField ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Little-endian bytes of 16-bit patterns. */
function u16Bytes(bits: number[]): Uint8Array {
  const b = new Uint8Array(bits.length * 2);
  bits.forEach((h, i) => new DataView(b.buffer).setUint16(2 * i, h, true));
  return b;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

/** Expects ModelFormatError naming the file (and tensor, when given) and telling what to do. */
function expectCorrupt(fn: () => unknown, opts: { tensor?: string; mentions?: (string | RegExp)[]; todo?: string } = {}): ModelFormatError {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(ModelFormatError);
  expect(e.name).toBe('ModelFormatError');
  const err = e as ModelFormatError;
  expect(err.message.startsWith(`${FILE}: `)).toBe(true);
  expect(err.message).toContain(opts.todo ?? REDOWNLOAD);
  expect(err.data.file).toBe(FILE);
  if (opts.tensor !== undefined) {
    expect(err.message).toContain(`"${opts.tensor}"`);
    expect(err.data.tensor).toBe(opts.tensor);
  }
  for (const m of opts.mentions ?? []) expect(err.message).toMatch(m);
  return err;
}

const tensor = (shape: number[], values?: number[]): HostTensor => ({ shape, data: Float32Array.from(values ?? Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i * 0.5 - 3)) });

describe('writeSafetensors -> readSafetensors', () => {
  it('round-trips f32 tensors, shapes, order and metadata', () => {
    const backing = new Float32Array([9, 9, 1.5, -2.25, 3e-30, 9]);
    const tensors = new Map<string, HostTensor>([
      ['model.embed_tokens.weight', tensor([5, 3])],
      ['model.norm.weight', tensor([3], [1, Infinity, -0])],
      ['scalar', tensor([], [42])],
      ['empty', tensor([0, 4], [])],
      ['view', { shape: [3], data: backing.subarray(2, 5) }], // not at the start of its buffer
    ]);
    const bytes = writeSafetensors(tensors, { format: 'pt' });
    const back = readSafetensors(bytes, FILE);
    expect([...back.keys()]).toEqual([...tensors.keys()]);
    for (const [name, t] of tensors) {
      expect(back.get(name)!.shape).toEqual(t.shape);
      expect(Array.from(back.get(name)!.data)).toEqual(Array.from(t.data));
    }
    expect(Object.is(back.get('model.norm.weight')!.data[2], -0)).toBe(true);
    expect(parseSafetensorsHeader(bytes, bytes.length, FILE).metadata).toEqual({ format: 'pt' });
  });

  it('pads the header with spaces so the data starts at a multiple of 8, with absolute offsets', () => {
    const bytes = writeSafetensors(new Map([['a', tensor([3])], ['b', tensor([2, 2])]]));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toMatch(/^\{.*\} *$/);
    expect(JSON.parse(text)).toEqual({
      a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] },
      b: { dtype: 'F32', shape: [2, 2], data_offsets: [12, 28] },
    });
    const h = parseSafetensorsHeader(bytes.subarray(0, 8 + n), bytes.length, FILE); // the header prefix suffices
    expect(h.dataStart).toBe(8 + n);
    expect(h.entries).toEqual([
      { name: 'a', dtype: 'F32', shape: [3], begin: 8 + n, end: 8 + n + 12 },
      { name: 'b', dtype: 'F32', shape: [2, 2], begin: 8 + n + 12, end: 8 + n + 28 },
    ]);
    expect(bytes.length).toBe(8 + n + 28);
  });

  it('refuses a tensor whose data length disagrees with its shape', () => {
    const e = thrown(() => writeSafetensors(new Map([['w', { shape: [2, 3], data: new Float32Array(5) }]])));
    expect(e.name).toBe('ShapeError');
    expect(e.message).toContain('"w"');
  });
});

describe('F16 and BF16 decoding', () => {
  // [bits, value]
  const F16: [number, number][] = [
    [0x3c00, 1],
    [0xc000, -2],
    [0x7bff, 65504], // largest finite
    [0x0001, 2 ** -24], // smallest subnormal
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x0400, 2 ** -14], // smallest normal
    [0x3555, 0.333251953125],
    [0x0000, 0],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ];

  it('f16ToF32 on known bit patterns, -0 and NaN', () => {
    for (const [h, v] of F16) expect(f16ToF32(h)).toBe(v);
    expect(Object.is(f16ToF32(0x8000), -0)).toBe(true);
    expect(f16ToF32(0x8001)).toBe(-(2 ** -24));
    for (const h of [0x7e00, 0x7c01, 0xfe00, 0x7fff]) expect(f16ToF32(h)).toBeNaN();
  });

  it('f16ToF32 is increasing over all positive finite patterns and odd in the sign bit', () => {
    const bad: number[] = [];
    for (let h = 1; h <= 0x7bff; h++) if (!(f16ToF32(h) > f16ToF32(h - 1)) || f16ToF32(h | 0x8000) !== -f16ToF32(h)) bad.push(h);
    expect(bad).toEqual([]);
  });

  it('reads an F16 tensor from a hand-built file', () => {
    const bits = [...F16.map(([h]) => h), 0x7e00, 0x8000];
    const bytes = buildFile({ h: { dtype: 'F16', shape: [2, bits.length / 2], data_offsets: [0, bits.length * 2] } }, u16Bytes(bits));
    const t = readSafetensors(bytes, FILE).get('h')!;
    expect(t.shape).toEqual([2, bits.length / 2]);
    expect(Array.from(t.data.subarray(0, F16.length))).toEqual(F16.map(([, v]) => v));
    expect(t.data[F16.length]).toBeNaN();
    expect(Object.is(t.data[F16.length + 1], -0)).toBe(true);
  });

  it('reads a BF16 tensor as the upper 16 bits of f32', () => {
    const values: [number, number][] = [
      [0x3f80, 1],
      [0xc000, -2],
      [0x477f, 65280], // 65504 is not a bf16 value; this is the nearest below
      [0x0001, 2 ** -133], // smallest subnormal
      [0x7f7f, 3.3895313892515355e38], // largest finite
      [0x4049, 3.140625],
      [0x7f80, Infinity],
      [0xff80, -Infinity],
    ];
    const bits = [...values.map(([h]) => h), 0x7fc0, 0x8000];
    const bytes = buildFile({ b: { dtype: 'BF16', shape: [bits.length], data_offsets: [0, bits.length * 2] } }, u16Bytes(bits));
    const t = readSafetensors(bytes, FILE).get('b')!;
    expect(Array.from(t.data.subarray(0, values.length))).toEqual(values.map(([, v]) => v));
    expect(t.data[values.length]).toBeNaN();
    expect(Object.is(t.data[values.length + 1], -0)).toBe(true);
  });

  it('reads an F32 tensor that starts at an unaligned offset, after an F16 one', () => {
    const data = new Uint8Array(2 + 8);
    data.set(u16Bytes([0x3c00]), 0);
    new DataView(data.buffer).setFloat32(2, 0.1, true);
    new DataView(data.buffer).setFloat32(6, -7.5, true);
    const json = JSON.stringify({ one: { dtype: 'F16', shape: [1], data_offsets: [0, 2] }, x: { dtype: 'F32', shape: [2], data_offsets: [2, 10] } });
    const bytes = buildFile(json.padEnd(Math.ceil(json.length / 8) * 8), data);
    const x = parseSafetensorsHeader(bytes, bytes.length, FILE).entries[1];
    expect(x.begin % 4).toBe(2); // a Float32Array view here would throw
    const t = readSafetensors(bytes, FILE);
    expect(Array.from(t.get('one')!.data)).toEqual([1]);
    expect(Array.from(t.get('x')!.data)).toEqual([Math.fround(0.1), -7.5]);
  });
});

describe('corrupt and unsupported files', () => {
  const good = () => writeSafetensors(new Map([['model.embed_tokens.weight', tensor([4, 2])], ['model.norm.weight', tensor([2])]]));

  it('truncated file: names the tensor that runs past the end and the sizes', () => {
    const bytes = good();
    const cut = bytes.subarray(0, bytes.length - 4);
    expectCorrupt(() => readSafetensors(cut, FILE), { tensor: 'model.norm.weight', mentions: ['truncated or corrupt', `past the end of the ${cut.length}-byte file`, '4 bytes missing'] });
  });

  it('header offsets beyond the end of the data', () => {
    const bytes = buildFile({ w: { dtype: 'F32', shape: [2], data_offsets: [16, 24] } }, new Uint8Array(8));
    expectCorrupt(() => readSafetensors(bytes, FILE), { tensor: 'w', mentions: ['truncated or corrupt', `ends at byte ${bytes.length + 16}`] });
  });

  it('data_offsets that disagree with shape and dtype', () => {
    const bytes = buildFile({ w: { dtype: 'F16', shape: [3, 2], data_offsets: [0, 24] } }, new Uint8Array(24));
    expectCorrupt(() => readSafetensors(bytes, FILE), { tensor: 'w', mentions: ['spans 24 bytes', 'F16 [3, 2] needs 12'] });
  });

  it('unknown dtype string', () => {
    const bytes = buildFile({ w: { dtype: 'Q4_K', shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2));
    expectCorrupt(() => readSafetensors(bytes, FILE), { tensor: 'w', mentions: ['unknown dtype "Q4_K"', 'BF16'], todo: 'Re-save the checkpoint with float32, float16 or bfloat16' });
  });

  it('known but unreadable dtypes are refused by the reader, not the header parser', () => {
    for (const [dtype, size] of [['I8', 1], ['U8', 1], ['F64', 8], ['I64', 8]] as const) {
      const bytes = buildFile({ 'model.layers.0.mlp.up_proj.weight': { dtype, shape: [2, 2], data_offsets: [0, 4 * size] } }, new Uint8Array(4 * size));
      expect(parseSafetensorsHeader(bytes, bytes.length, FILE).entries[0].dtype).toBe(dtype);
      const e = thrown(() => readSafetensors(bytes, FILE));
      expect(e).toBeInstanceOf(UnsupportedModelError);
      expect(e.message).toContain(`${FILE}: tensor "model.layers.0.mlp.up_proj.weight" has dtype ${dtype}`);
      expect(e.message).toContain('use the float32, float16 or bfloat16 release');
      expect((e as UnsupportedModelError).data).toEqual({ file: FILE, tensor: 'model.layers.0.mlp.up_proj.weight', dtype });
    }
  });

  it('header length larger than the file', () => {
    const bytes = buildFile({}, new Uint8Array(0), 1000n);
    expectCorrupt(() => readSafetensors(bytes, FILE), { mentions: ['says 1000 bytes', `only ${bytes.length - 8}`] });
  });

  it('absurd header length (a GGUF file passed as safetensors)', () => {
    const gguf = new Uint8Array(64);
    gguf.set(new TextEncoder().encode('GGUF'), 0);
    gguf[4] = 3; // version 3
    expectCorrupt(() => readSafetensors(gguf, FILE), { mentions: ['over the 100 MB limit'], todo: 'This is not a safetensors file' });
  });

  it('file shorter than the length field', () => {
    expectCorrupt(() => readSafetensors(new Uint8Array(5), FILE), { mentions: ['5 bytes is too short'] });
  });

  it('invalid JSON, invalid UTF-8, a header that is not an object', () => {
    expectCorrupt(() => readSafetensors(buildFile('{"w": {"dtype": "F32",'), FILE), { mentions: ['not valid UTF-8 JSON'] });
    const badUtf8 = buildFile('{"w": 1}');
    badUtf8[10] = 0xff;
    expectCorrupt(() => readSafetensors(badUtf8, FILE), { mentions: ['not valid UTF-8 JSON'] });
    expectCorrupt(() => readSafetensors(buildFile([1, 2]), FILE), { mentions: ['not a JSON object'] });
  });

  it('malformed entries: not an object, bad shape, bad data_offsets, bad metadata', () => {
    expectCorrupt(() => readSafetensors(buildFile({ w: 'F32' }), FILE), { tensor: 'w', mentions: ['not an object'] });
    expectCorrupt(() => readSafetensors(buildFile({ w: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 0] } }), FILE), { tensor: 'w', mentions: ['shape [2,-1]'] });
    expectCorrupt(() => readSafetensors(buildFile({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, new Uint8Array(4)), FILE), { tensor: 'w', mentions: ['data_offsets [4,0]'] });
    expectCorrupt(() => readSafetensors(buildFile({ w: { dtype: 'F32', shape: [1] } }), FILE), { tensor: 'w', mentions: ['data_offsets undefined'] });
    expectCorrupt(() => readSafetensors(buildFile({ __metadata__: { format: 1 } }), FILE), { mentions: ['"__metadata__"'] });
  });

  it('a ModelFormatError keeps its class, file and tensor across the worker boundary', () => {
    const bytes = good();
    const e = thrown(() => readSafetensors(bytes.subarray(0, bytes.length - 1), FILE));
    const back = deserializeError(JSON.parse(JSON.stringify(serializeError(e))));
    expect(back).toBeInstanceOf(ModelFormatError);
    expect((back as ModelFormatError).data).toEqual({ file: FILE, tensor: 'model.norm.weight' });
  });
});

describe('checkAgainstConfig', () => {
  const base = { model_type: 'llama', vocab_size: 10, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1 };
  const untied = parseHfConfig(base);
  const tied = parseHfConfig({ ...base, tie_word_embeddings: true });
  const qwen = parseHfConfig({ ...base, model_type: 'qwen2' });
  const shapesFor = (c: typeof untied) => new Map(expectedWeights(c).map((w) => [w.name, [...w.shape]]));
  const WHAT_TO_DO = 'config.json and the weights do not belong to the same model';

  it('accepts the exact set, extra tensors, and a tied model with or without lm_head.weight', () => {
    for (const c of [untied, tied, qwen]) expect(() => checkAgainstConfig(shapesFor(c), c, FILE)).not.toThrow();
    const extra = shapesFor(tied).set('lm_head.weight', [10, 8]).set('model.layers.0.self_attn.rotary_emb.inv_freq', [2]);
    expect(() => checkAgainstConfig(extra, tied, FILE)).not.toThrow();
  });

  it('works on a real round trip through a file', () => {
    const tensors = new Map(expectedWeights(qwen).map((w) => [w.name, tensor(w.shape)]));
    const read = readSafetensors(writeSafetensors(tensors), FILE);
    expect(() => checkAgainstConfig(new Map([...read].map(([k, t]) => [k, t.shape])), qwen, FILE)).not.toThrow();
  });

  it('missing tensor: names it, its expected shape, and how many are missing', () => {
    const m = shapesFor(untied);
    m.delete('model.layers.1.self_attn.k_proj.weight');
    m.delete('lm_head.weight');
    const e = expectCorrupt(() => checkAgainstConfig(m, untied, FILE), { tensor: 'model.layers.1.self_attn.k_proj.weight', todo: WHAT_TO_DO, mentions: ['[4, 8]', 'is missing (and 1 more)'] });
    expect(e.data).toMatchObject({ expected: [4, 8], missing: 2 });
  });

  it('untied config but the file has no lm_head.weight', () => {
    const m = shapesFor(tied);
    expectCorrupt(() => checkAgainstConfig(m, untied, FILE), { tensor: 'lm_head.weight', todo: WHAT_TO_DO, mentions: ['[10, 8]', /missing\. /] });
  });

  it('Qwen2 config against Llama weights: the q/k/v biases are missing', () => {
    expectCorrupt(() => checkAgainstConfig(shapesFor(untied), qwen, FILE), { tensor: 'model.layers.0.self_attn.q_proj.bias', todo: WHAT_TO_DO, mentions: ['(and 5 more)'] });
  });

  it('shape that disagrees with the config: names the tensor, expected and found shapes', () => {
    const m = shapesFor(untied).set('model.layers.0.mlp.down_proj.weight', [12, 8]);
    const e = expectCorrupt(() => checkAgainstConfig(m, untied, FILE), { tensor: 'model.layers.0.mlp.down_proj.weight', todo: WHAT_TO_DO, mentions: ['has shape [12, 8], but the config calls for [8, 12]'] });
    expect(e.data).toMatchObject({ expected: [8, 12], found: [12, 8] });
    const rank = shapesFor(untied).set('model.norm.weight', [8, 1]);
    expectCorrupt(() => checkAgainstConfig(rank, untied, FILE), { tensor: 'model.norm.weight', todo: WHAT_TO_DO, mentions: ['[8, 1]', '[8]'] });
  });
});
