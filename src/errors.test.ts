import { describe, expect, it } from 'vitest';
import * as errors from './errors';
import { DeviceLostError, deserializeError, GpuLimitError, serializeError, WebGpuUnavailableError } from './errors';

describe('typed errors across the worker boundary', () => {
  it('round-trips class, name, message and data', () => {
    const e = new GpuLimitError('too big', { limit: 'maxBufferSize', needed: 10, allowed: 5 });
    expect(e.name).toBe('GpuLimitError');
    const back = deserializeError(JSON.parse(JSON.stringify(serializeError(e))));
    expect(back).toBeInstanceOf(GpuLimitError);
    expect(back.message).toBe('too big');
    expect((back as GpuLimitError).data).toEqual({ limit: 'maxBufferSize', needed: 10, allowed: 5 });
  });

  it('keeps the name of errors it does not know, and wraps non-errors', () => {
    const t = new TypeError('bad');
    const back = deserializeError(serializeError(t));
    expect(back.name).toBe('TypeError');
    expect(back.message).toBe('bad');
    expect(deserializeError(serializeError('plain string')).message).toBe('plain string');
  });

  it('gives every error class a name literal equal to its class name (minifiers rename classes)', () => {
    const classes = Object.values(errors).filter((v): v is typeof errors.AlignScopeError => typeof v === 'function' && v.prototype instanceof Error);
    expect(classes.length).toBeGreaterThanOrEqual(6);
    for (const C of classes) {
      const e = new C('x');
      expect(e.name).toBe(C.name);
      expect(deserializeError(serializeError(e))).toBeInstanceOf(C);
    }
    expect(new DeviceLostError('x').name).toBe('DeviceLostError');
    expect(new WebGpuUnavailableError('x')).toBeInstanceOf(errors.AlignScopeError);
  });
});
