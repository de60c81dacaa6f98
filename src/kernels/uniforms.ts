// Uniform blocks as 32-bit words: integers as u32, `{ f32: x }` as the bits of an f32, padded to
// 16 bytes (uniform structs are 16-byte aligned).

export type UniformValue = number | { f32: number };

export function uniforms(...values: UniformValue[]): Uint32Array {
  const words = new Uint32Array(Math.ceil(values.length / 4) * 4);
  const floats = new Float32Array(words.buffer);
  values.forEach((v, i) => {
    if (typeof v === 'number') words[i] = v;
    else floats[i] = v.f32;
  });
  return words;
}
