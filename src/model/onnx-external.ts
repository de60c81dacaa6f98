// Tensor bytes stored outside an ONNX file (data_location EXTERNAL: `location`, `offset`, `length`
// in external_data), shared by both ONNX readers (ours and onnx-community's). Each external file is
// resolved once and kept for the tensors after it.

import { ModelFormatError } from '../errors';
import { ONNX, type ProtoMessage } from './protobuf';

export class ExternalData {
  private readonly files = new Map<string, Uint8Array>();

  /** `damaged` throws the reader's ModelFormatError for a file whose tensor table does not add up. */
  constructor(
    private readonly file: string,
    private readonly resolve: ((location: string) => Uint8Array) | undefined,
    private readonly damaged: (problem: string, data: Record<string, unknown>) => never,
  ) {}

  /** The bytes of external tensor `t` (named `name`), `need` of them unless external_data gives a length. */
  bytes(t: ProtoMessage, name: string, need: number): Uint8Array {
    const kv = new Map(t.messages(ONNX.Tensor.externalData).map((e) => [e.string(ONNX.StringStringEntry.key), e.string(ONNX.StringStringEntry.value)]));
    const location = kv.get('location');
    if (!location) this.damaged(`tensor "${name}" is external but names no location`, { tensor: name });
    if (!this.resolve) throw new ModelFormatError(`${this.file}: tensor "${name}" is stored in the external file "${location}". Pass resolveExternal to read it.`, { file: this.file, tensor: name, location });
    let data = this.files.get(location);
    if (!data) {
      // A resolver knows only the files the model names; one it lacks (the file listing them is damaged) is a typed error here.
      data = this.resolve(location) as Uint8Array | undefined;
      if (!data) throw new ModelFormatError(`${this.file}: tensor "${name}" is stored in the external file "${location}", which could not be read. Put it next to the model file, or download the model again.`, { file: this.file, tensor: name, location });
      this.files.set(location, data);
    }
    const offset = Number(kv.get('offset') ?? 0);
    const length = Number(kv.get('length') ?? need);
    if (!(Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && offset + length <= data.length)) {
      this.damaged(`tensor "${name}" reads bytes ${offset}..${offset + length} of "${location}", which has ${data.length}`, { tensor: name, location });
    }
    return data.subarray(offset, offset + length);
  }
}
