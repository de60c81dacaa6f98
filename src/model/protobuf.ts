// Protocol Buffers wire format, the subset ONNX files use: varint (wire 0), fixed64 (1),
// length-delimited (2: bytes, strings, sub-messages, packed repeated scalars) and fixed32 (5).
//
// Our own instead of protobufjs: ONNX needs a dozen field numbers, not a schema compiler. The writer
// keeps a list of chunks and embeds sub-messages without copying them, so a weight's bytes are copied
// once, into the final file; the reader decodes one level at a time and hands out subarrays of the
// input, so a large raw_data is never copied before the caller converts it.
//
// ONNX field numbers below are those of onnx.proto3 (ModelProto, GraphProto, NodeProto, ...).

import { ModelFormatError } from '../errors';

export const ONNX = {
  Model: { irVersion: 1, producerName: 2, producerVersion: 3, graph: 7, opsetImport: 8, metadataProps: 14 },
  OperatorSetId: { domain: 1, version: 2 },
  StringStringEntry: { key: 1, value: 2 },
  Graph: { node: 1, name: 2, initializer: 5, input: 11, output: 12 },
  Node: { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 },
  Attribute: { name: 1, f: 2, i: 3, s: 4, ints: 8, type: 20 },
  AttributeType: { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 },
  Tensor: { dims: 1, dataType: 2, floatData: 4, int32Data: 5, int64Data: 7, name: 8, rawData: 9, externalData: 13, dataLocation: 14 },
  TensorDataType: { FLOAT: 1, UINT8: 2, INT64: 7, BOOL: 9 },
  DataLocation: { DEFAULT: 0, EXTERNAL: 1 },
  ValueInfo: { name: 1, type: 2 },
  Type: { tensorType: 1 },
  TypeTensor: { elemType: 1, shape: 2 },
  TensorShape: { dim: 1 },
  Dimension: { value: 1, param: 2 },
} as const;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Varint bytes of an int64; negative values take ten bytes (two's complement), as protobuf does. */
export function varint(v: number | bigint): Uint8Array {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 31) {
    const out: number[] = [];
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
    return Uint8Array.from(out);
  }
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return Uint8Array.from(out);
}

export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  get byteLength(): number {
    return this.length;
  }

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.length += b.length;
  }

  private tag(no: number, wire: number): void {
    this.push(varint(no * 8 + wire));
  }

  int(no: number, v: number | bigint): this {
    this.tag(no, WIRE_VARINT);
    this.push(varint(v));
    return this;
  }

  float(no: number, v: number): this {
    this.tag(no, WIRE_I32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  bytes(no: number, b: Uint8Array): this {
    this.tag(no, WIRE_LEN);
    this.push(varint(b.length));
    this.push(b);
    return this;
  }

  string(no: number, s: string): this {
    return this.bytes(no, utf8Encoder.encode(s));
  }

  /** Embeds `w` as a sub-message; its chunks are shared, not copied. */
  message(no: number, w: ProtoWriter): this {
    this.tag(no, WIRE_LEN);
    this.push(varint(w.length));
    for (const p of w.parts) this.push(p);
    return this;
  }

  /** Re-encodes a field decoded by ProtoMessage, unchanged. */
  field(f: ProtoField): this {
    this.tag(f.no, f.wire);
    if (f.wire === WIRE_VARINT) this.push(varint(f.value as bigint));
    else if (f.wire === WIRE_LEN) {
      this.push(varint((f.value as Uint8Array).length));
      this.push(f.value as Uint8Array);
    } else this.push(f.value as Uint8Array);
    return this;
  }

  /** Packed repeated int64 (proto3's default encoding for repeated scalars). */
  packedInts(no: number, values: ArrayLike<number>): this {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.push(varint(values[i]));
    return this.message(no, inner);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

export interface ProtoField {
  no: number;
  wire: number;
  /** varint: the unsigned 64-bit value; other wire types: the field's bytes (a view of the input). */
  value: bigint | Uint8Array;
}

function fail(message: string, data: Record<string, unknown> = {}): never {
  throw new ModelFormatError(`Protobuf: ${message}`, data);
}

/** One decoded message level: fields by number, in order of appearance. Sub-messages decode on demand. */
export class ProtoMessage {
  private readonly fields = new Map<number, ProtoField[]>();
  private readonly order: ProtoField[] = [];

  constructor(readonly buf: Uint8Array) {
    const r = { at: 0 };
    const take = (n: number): Uint8Array => {
      if (n > buf.length - r.at) fail(`field of ${n} bytes runs past the end (${buf.length - r.at} left)`, { offset: r.at });
      return buf.subarray(r.at, (r.at += n));
    };
    while (r.at < buf.length) {
      const key = readVarint(buf, r);
      const no = Number(key >> 3n);
      const wire = Number(key & 7n);
      if (no === 0) fail('field number 0', { offset: r.at });
      let value: bigint | Uint8Array;
      if (wire === WIRE_VARINT) value = readVarint(buf, r);
      else if (wire === WIRE_I64) value = take(8);
      else if (wire === WIRE_I32) value = take(4);
      else if (wire === WIRE_LEN) value = take(Number(readVarint(buf, r)));
      else return fail(`unsupported wire type ${wire} for field ${no}`, { offset: r.at });
      const field = { no, wire, value };
      this.order.push(field);
      const list = this.fields.get(no);
      if (list) list.push(field);
      else this.fields.set(no, [field]);
    }
  }

  /** Every field in the order it was written (to re-encode a message with edits). */
  entries(): readonly ProtoField[] {
    return this.order;
  }

  has(no: number): boolean {
    return this.fields.has(no);
  }

  private all(no: number, wire: number): ProtoField[] {
    const list = this.fields.get(no) ?? [];
    for (const f of list) if (f.wire !== wire) fail(`field ${no} has wire type ${f.wire}, expected ${wire}`);
    return list;
  }

  /** Last occurrence (proto3: the last one wins) of an int64/int32/enum field, or `dflt`. */
  int(no: number, dflt = 0): number {
    const list = this.all(no, WIRE_VARINT);
    return list.length ? toSafeInt(list[list.length - 1].value as bigint) : dflt;
  }

  /** Repeated int64, packed or not. */
  ints(no: number): number[] {
    const out: number[] = [];
    for (const f of this.fields.get(no) ?? []) {
      if (f.wire === WIRE_VARINT) out.push(toSafeInt(f.value as bigint));
      else if (f.wire === WIRE_LEN) {
        const packed = f.value as Uint8Array;
        for (const r = { at: 0 }; r.at < packed.length; ) out.push(toSafeInt(readVarint(packed, r)));
      } else fail(`field ${no} has wire type ${f.wire}, expected an int`);
    }
    return out;
  }

  /** Repeated float, packed or not. */
  floats(no: number): Float32Array {
    const chunks: Uint8Array[] = [];
    for (const f of this.fields.get(no) ?? []) {
      const b = f.value as Uint8Array;
      if (f.wire === WIRE_I32 || (f.wire === WIRE_LEN && b.length % 4 === 0)) chunks.push(b);
      else fail(`field ${no} is not a float list`);
    }
    const bytes = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    return new Float32Array(bytes.buffer); // little-endian hosts only, as every WebGPU host is
  }

  bytes(no: number): Uint8Array | undefined {
    const list = this.all(no, WIRE_LEN);
    return list.length ? (list[list.length - 1].value as Uint8Array) : undefined;
  }

  string(no: number, dflt = ''): string {
    const b = this.bytes(no);
    return b ? decodeUtf8(b) : dflt;
  }

  strings(no: number): string[] {
    return this.all(no, WIRE_LEN).map((f) => decodeUtf8(f.value as Uint8Array));
  }

  message(no: number): ProtoMessage | undefined {
    const b = this.bytes(no);
    return b ? new ProtoMessage(b) : undefined;
  }

  messages(no: number): ProtoMessage[] {
    return this.all(no, WIRE_LEN).map((f) => new ProtoMessage(f.value as Uint8Array));
  }
}

/** Reads one varint at `r.at` and advances it. */
function readVarint(buf: Uint8Array, r: { at: number }): bigint {
  let x = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (r.at >= buf.length) fail('truncated varint', { offset: r.at });
    const byte = buf[r.at++];
    x |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return BigInt.asUintN(64, x);
  }
  return fail('varint longer than 10 bytes', { offset: r.at });
}

function toSafeInt(u: bigint): number {
  const v = BigInt.asIntN(64, u);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) fail(`integer ${v} out of range`);
  return Number(v);
}

function decodeUtf8(b: Uint8Array): string {
  try {
    return utf8Decoder.decode(b);
  } catch {
    return fail('string is not valid UTF-8');
  }
}
