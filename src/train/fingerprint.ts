// Cheap content fingerprints, so saved training state (data order) is only restored onto the
// same corpus and settings. Not cryptographic: it catches mistakes, not tampering.

/** FNV-1a, 32 bits, over UTF-16 code units. */
export function fnv1a(parts: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ 0xff, 0x01000193) >>> 0; // separator
  }
  return h.toString(16).padStart(8, '0');
}

/** JSON with object keys sorted, so equal settings built in another key order hash alike. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
