// readDecoderOnnx on damaged files, each the minimal form of a case the fuzz tier (npm run
// test:fuzz) found: our export's config metadata with an absurd size, and an external tensor whose
// file the folder loader never read. (Round trips of valid exports: src/export/onnx.test.ts.)

import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../errors';
import { CONFIG_METADATA_KEY, readDecoderOnnx } from './onnx-reader';
import { ONNX, ProtoWriter } from './protobuf';
import { randomModelConfig } from './random-source';

const entry = (k: string, v: string) => new ProtoWriter().string(ONNX.StringStringEntry.key, k).string(ONNX.StringStringEntry.value, v);

/** A ModelProto with our config metadata and the given initializers in its graph. */
function model(config: unknown, initializers: ProtoWriter[] = []): Uint8Array {
  const graph = new ProtoWriter().string(ONNX.Graph.name, 'g');
  for (const t of initializers) graph.message(ONNX.Graph.initializer, t);
  return new ProtoWriter().int(ONNX.Model.irVersion, 10).message(ONNX.Model.graph, graph).message(ONNX.Model.metadataProps, entry(CONFIG_METADATA_KEY, JSON.stringify(config))).finish();
}

describe('readDecoderOnnx: damaged files are ModelFormatError', () => {
  it('config metadata with numLayers 10^15 (listing its weights never ended)', () => {
    const t0 = performance.now();
    const read = () => readDecoderOnnx(model({ ...randomModelConfig(), numLayers: 1e15 }), 'm.onnx');
    expect(read).toThrow(ModelFormatError);
    expect(read).toThrow(/^m\.onnx: metadata "alignscope\.config" has a bad "numLayers"/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('an external tensor whose file the resolver does not have (it was a TypeError)', () => {
    const c = randomModelConfig();
    const embed = new ProtoWriter()
      .packedInts(ONNX.Tensor.dims, [c.vocabSize, c.hiddenSize])
      .int(ONNX.Tensor.dataType, ONNX.TensorDataType.FLOAT)
      .string(ONNX.Tensor.name, 'model.embed_tokens.weight')
      .int(ONNX.Tensor.dataLocation, ONNX.DataLocation.EXTERNAL)
      .message(ONNX.Tensor.externalData, entry('location', 'model.onnx_data'));
    // readModelFolder resolves only the locations it found up front; another gives undefined
    const read = () => readDecoderOnnx(model(c, [embed]), 'm.onnx', { resolveExternal: () => undefined as unknown as Uint8Array });
    expect(read).toThrow(/tensor "model.embed_tokens.weight" is stored in the external file "model.onnx_data", which could not be read/);
    expect(read).toThrow(expect.objectContaining({ name: 'ModelFormatError', data: expect.objectContaining({ tensor: 'model.embed_tokens.weight', location: 'model.onnx_data' }) }));
  });

  it('the limits themselves still read up to the weights', () => {
    // numLayers at SIZE_LIMITS passes the config check and fails on the first missing weight instead
    expect(() => readDecoderOnnx(model({ ...randomModelConfig(), numLayers: 1024 }), 'm.onnx')).toThrow(/initializer "model.embed_tokens.weight" .* is not in the graph/);
  });
});

