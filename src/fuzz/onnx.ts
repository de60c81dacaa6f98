// Structure-aware mutations of an ONNX file (ours or onnx-community's), on its protobuf tree:
// a length prefix that lies, an initializer's dims, data_type, raw_data or external-data entries,
// a node attribute (K, N, bits, block_size), a node's inputs, any varint, a field removed or
// repeated, and for our export the DecoderConfig JSON in metadata_props. 1 in 8 is blind.

import { ONNX } from '../model/protobuf';
import { absurdU64 } from './absurd';
import { mutateBytes, truncate, type Mutated } from './bytes';
import { mutateJsonValue } from './json';
import type { Rng } from './prng';
import { cloneTree, packInts, parseTree, unpackInts, walkTree, writeTree, type MessageType, type TreeField } from './proto-tree';

type Site = ReturnType<typeof walkTree>[number];

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Sizes of the decoder config our export stores; a mutation aims at them half the time. */
const CONFIG_TARGETS = ['vocabSize', 'hiddenSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'intermediateSize', 'maxPositions', 'eosTokenIds', 'ropeScaling', 'architecture'].map((k) => [k]);

/** An int64 for a dim or attribute: absurd unsigned, negative, or near the old value. */
function absurdInt64(rng: Rng, old: number): bigint {
  return rng.weighted<() => bigint>([
    [3, () => absurdU64(rng, BigInt(old))],
    [1, () => BigInt(rng.pick([-1, -2, -(2 ** 31), -(2 ** 53)]))],
    [2, () => BigInt(Math.max(0, old + rng.pick([-1, 1, 16, -16])))],
  ])();
}

const fieldsIn = (sites: Site[], type: MessageType, no: number) => sites.filter((s) => s.in === type && s.field.no === no);

function tensorDims(sites: Site[], rng: Rng): string | undefined {
  const dims = fieldsIn(sites, 'Tensor', ONNX.Tensor.dims).filter((s) => s.field.wire === 2);
  if (!dims.length) return undefined;
  const { field } = rng.pick(dims);
  const values: (number | bigint)[] = unpackInts(field.value as Uint8Array);
  const choice = rng.int(4);
  if (choice === 0 && values.length) {
    const i = rng.int(values.length);
    values[i] = absurdInt64(rng, values[i] as number);
    field.value = packInts(values);
    return `initializer dims[${i}] = ${values[i]}`;
  }
  if (choice === 1) values.push(rng.pick([1n, 2n, 1n << 31n]));
  else if (choice === 2) values.splice(rng.int(values.length + 1), 1);
  else values.reverse();
  field.value = packInts(values);
  return `initializer dims [${values.join(', ')}]`;
}

function tensorData(sites: Site[], rng: Rng): string | undefined {
  const tensors = sites.filter((s) => s.field.type === 'Tensor');
  if (!tensors.length) return undefined;
  const t = rng.pick(tensors).field.children!;
  const choice = rng.int(5);
  if (choice === 0) {
    const dt = t.find((f) => f.no === ONNX.Tensor.dataType);
    if (dt) dt.value = BigInt(rng.pick([0, 2, 3, 6, 7, 9, 10, 11, 16, 17, 1000]));
    return `initializer data_type ${dt?.value}`;
  }
  const raw = t.find((f) => f.no === ONNX.Tensor.rawData);
  if (choice === 1 && raw) {
    const b = raw.value as Uint8Array;
    raw.value = b.subarray(0, rng.int(b.length + 1));
    return `raw_data cut to ${(raw.value as Uint8Array).length} of ${b.length}`;
  }
  if (choice === 2 && raw) {
    t.splice(t.indexOf(raw), 1);
    return 'raw_data removed';
  }
  if (choice === 3) {
    // float_data / int32_data listed instead of (or beside) raw_data, with a count that may not fit
    const n = rng.pick([0, 1, 3, 64, 1000]);
    t.push({ no: rng.pick([ONNX.Tensor.floatData, ONNX.Tensor.int32Data]), wire: 2, value: new Uint8Array(n * 4) });
    return `${n} listed values added`;
  }
  // external data with hostile entries
  const entry = (k: string, v: string): TreeField => ({ no: ONNX.Tensor.externalData, wire: 2, type: 'Entry', children: [{ no: 1, wire: 2, value: utf8(k) }, { no: 2, wire: 2, value: utf8(v) }] });
  const loc = t.find((f) => f.no === ONNX.Tensor.dataLocation);
  if (loc) loc.value = 1n;
  else t.push({ no: ONNX.Tensor.dataLocation, wire: 0, value: 1n });
  const kv = [entry('location', rng.pick(['model.onnx_data', '../../etc/passwd', '', 'missing.bin']))];
  if (rng.chance(0.7)) kv.push(entry('offset', rng.pick(['0', '-1', '1e30', 'NaN', '9007199254740993', String(rng.int(1 << 20))])));
  if (rng.chance(0.7)) kv.push(entry('length', rng.pick(['0', '-5', '1e30', '4', String(2 ** 40)])));
  t.push(...kv);
  return `external data ${kv.map((e) => text(e.children![1].value as Uint8Array)).join(', ')}`;
}

function attribute(sites: Site[], rng: Rng): string | undefined {
  const ints = sites.filter((s) => s.in === 'Attribute' && s.field.no === ONNX.Attribute.i);
  if (!ints.length) return undefined;
  const s = rng.pick(ints);
  const name = s.parent.find((f) => f.no === ONNX.Attribute.name);
  const old = Number(BigInt.asIntN(64, s.field.value as bigint));
  s.field.value = BigInt.asUintN(64, absurdInt64(rng, old));
  return `attribute ${name ? text(name.value as Uint8Array) : '?'} = ${BigInt.asIntN(64, s.field.value as bigint)}`;
}

function nodeInputs(sites: Site[], rng: Rng): string | undefined {
  const inputs = fieldsIn(sites, 'Node', ONNX.Node.input);
  const outputs = fieldsIn(sites, 'Node', ONNX.Node.output);
  if (!inputs.length) return undefined;
  const s = rng.pick(inputs);
  const to = rng.chance(0.7) && outputs.length ? (rng.pick(outputs).field.value as Uint8Array) : utf8(rng.pick(['', 'input_ids', 'nowhere']));
  const was = text(s.field.value as Uint8Array);
  s.field.value = to;
  return `node input ${was} -> ${text(to)}`;
}

function anyVarint(sites: Site[], rng: Rng): string | undefined {
  const ints = sites.filter((s) => s.field.wire === 0);
  if (!ints.length) return undefined;
  const s = rng.pick(ints);
  s.field.value = BigInt.asUintN(64, absurdInt64(rng, Number(BigInt.asIntN(64, s.field.value as bigint))));
  return `varint field ${s.field.no} of ${s.in} = ${s.field.value}`;
}

function lyingLength(sites: Site[], rng: Rng): string {
  const lens = sites.filter((s) => s.field.wire === 2);
  const s = rng.pick(lens);
  const len = BigInt((s.field.children ? writeTree(s.field.children) : (s.field.value as Uint8Array)).length);
  s.field.lieLength = rng.chance(0.5) ? absurdU64(rng, len) : BigInt.asUintN(64, len + BigInt(rng.pick([-1, 1, -8, 8])));
  return `length of field ${s.field.no} of ${s.in} says ${s.field.lieLength} (true ${len})`;
}

function removeOrRepeat(sites: Site[], rng: Rng): string {
  const s = rng.pick(sites);
  const i = s.parent.indexOf(s.field);
  if (rng.chance(0.6)) s.parent.splice(i, 1);
  else s.parent.splice(i, 0, s.field);
  return `field ${s.field.no} of ${s.in} ${s.parent[i] === s.field ? 'repeated' : 'removed'}`;
}

function ourConfig(sites: Site[], rng: Rng): string | undefined {
  const value = sites.find((s) => s.in === 'Entry' && s.field.no === 2 && s.parent.some((f) => f.no === 1 && text(f.value as Uint8Array) === 'alignscope.config'));
  if (!value) return undefined;
  const json = JSON.parse(text(value.field.value as Uint8Array));
  const what = mutateJsonValue(json, rng, CONFIG_TARGETS, 0.7);
  value.field.value = utf8(JSON.stringify(json));
  return `alignscope.config: ${what}`;
}

/** One mutation of a valid ONNX file `b`; `tree` is its parsed form (parseTree), copied before editing. */
export function mutateOnnx(b: Uint8Array, rng: Rng, tree = parseTree(b)): Mutated {
  const kind = rng.weighted<string>([[2, 'length'], [3, 'dims'], [3, 'data'], [2, 'attribute'], [1, 'inputs'], [1, 'varint'], [1, 'field'], [2, 'config'], [1, 'truncate'], [1, 'blind']]);
  if (kind === 'truncate') return truncate(b, rng);
  if (kind === 'blind') {
    const m = mutateBytes(b, rng);
    return { bytes: m.bytes, what: `blind: ${m.what}` };
  }
  const copy = cloneTree(tree);
  const sites = walkTree(copy);
  const what =
    (kind === 'dims' && tensorDims(sites, rng)) ||
    (kind === 'data' && tensorData(sites, rng)) ||
    (kind === 'attribute' && attribute(sites, rng)) ||
    (kind === 'inputs' && nodeInputs(sites, rng)) ||
    (kind === 'varint' && anyVarint(sites, rng)) ||
    (kind === 'config' && ourConfig(sites, rng)) ||
    (kind === 'field' && removeOrRepeat(sites, rng)) ||
    lyingLength(sites, rng);
  return { bytes: writeTree(copy), what };
}
