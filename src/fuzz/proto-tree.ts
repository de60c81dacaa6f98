// A valid ONNX file as a tree of protobuf fields, so a mutation can change one field deep inside
// (a tensor's dims, an attribute, a sub-message's length) and the file is written back with every
// enclosing length right, except a length the mutation chose to make lie. Which length-delimited
// fields are sub-messages comes from the ONNX schema (field numbers of src/model/protobuf.ts).

import { ONNX, ProtoMessage, varint, type ProtoField } from '../model/protobuf';

export type MessageType = 'Model' | 'Graph' | 'Node' | 'Attribute' | 'Tensor' | 'Entry' | 'OperatorSetId' | 'ValueInfo' | 'Type' | 'TypeTensor' | 'Shape' | 'Dimension';

/** Sub-message fields of each message type. */
const SCHEMA: Record<MessageType, Record<number, MessageType>> = {
  Model: { [ONNX.Model.graph]: 'Graph', [ONNX.Model.opsetImport]: 'OperatorSetId', [ONNX.Model.metadataProps]: 'Entry' },
  Graph: { [ONNX.Graph.node]: 'Node', [ONNX.Graph.initializer]: 'Tensor', [ONNX.Graph.input]: 'ValueInfo', [ONNX.Graph.output]: 'ValueInfo' },
  Node: { [ONNX.Node.attribute]: 'Attribute' },
  Attribute: {},
  Tensor: { [ONNX.Tensor.externalData]: 'Entry' },
  Entry: {},
  OperatorSetId: {},
  ValueInfo: { [ONNX.ValueInfo.type]: 'Type' },
  Type: { [ONNX.Type.tensorType]: 'TypeTensor' },
  TypeTensor: { [ONNX.TypeTensor.shape]: 'Shape' },
  Shape: { [ONNX.TensorShape.dim]: 'Dimension' },
  Dimension: {},
};

export interface TreeField {
  no: number;
  wire: number;
  /** Varint: the value; a sub-message: undefined (see `children`); other wire types: the bytes. */
  value?: bigint | Uint8Array;
  /** Set for sub-messages: their type and fields. */
  type?: MessageType;
  children?: TreeField[];
  /** When set, the length written in front of this field's bytes instead of the true one. */
  lieLength?: bigint;
}

/** The fields of a valid message of `type`, sub-messages expanded. */
export function parseTree(bytes: Uint8Array, type: MessageType = 'Model'): TreeField[] {
  return new ProtoMessage(bytes).entries().map((f: ProtoField) => {
    const sub = f.wire === 2 ? SCHEMA[type][f.no] : undefined;
    return sub ? { no: f.no, wire: f.wire, type: sub, children: parseTree(f.value as Uint8Array, sub) } : { no: f.no, wire: f.wire, value: f.value };
  });
}

/** Every field of the tree with its parent list and the type of the message holding it. */
export function walkTree(fields: TreeField[], type: MessageType = 'Model'): { field: TreeField; parent: TreeField[]; in: MessageType }[] {
  const out: { field: TreeField; parent: TreeField[]; in: MessageType }[] = [];
  const visit = (list: TreeField[], t: MessageType) => {
    for (const f of list) {
      out.push({ field: f, parent: list, in: t });
      if (f.children) visit(f.children, f.type!);
    }
  };
  visit(fields, type);
  return out;
}

/** A copy of the tree's structure to edit; byte values are shared (mutations replace them, never write into them). */
export function cloneTree(fields: TreeField[]): TreeField[] {
  return fields.map((f) => ({ ...f, children: f.children && cloneTree(f.children) }));
}

/** The wire bytes of `fields`, lengths recomputed (or the lie a field carries). */
export function writeTree(fields: TreeField[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    parts.push(varint(f.no * 8 + f.wire));
    if (f.wire === 0) parts.push(varint(f.value as bigint));
    else if (f.wire === 2) {
      const body = f.children ? writeTree(f.children) : (f.value as Uint8Array);
      parts.push(varint(f.lieLength ?? body.length), body);
    } else parts.push(f.value as Uint8Array);
  }
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/** The values of a packed repeated int64 field (dims, ints attributes) of a valid file. */
export function unpackInts(b: Uint8Array): number[] {
  return new ProtoMessage(concat([varint(1 * 8 + 2), varint(b.length), b])).ints(1);
}

/** Packed varints of `values` (negative ones take ten bytes, as int64 does). */
export function packInts(values: readonly (number | bigint)[]): Uint8Array {
  return concat(values.map((v) => varint(v)));
}
