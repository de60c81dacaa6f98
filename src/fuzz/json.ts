// Mutations of JSON files (config.json, tokenizer.json, tokenizer_config.json, the config inside our
// ONNX metadata): structure-aware edits of the parsed value (a size set to 2^53 or -1, a key removed,
// an object where a number belongs), aimed at named paths when given, and text damage of the
// serialized file (truncation, bit flips, invalid UTF-8) for the parser itself.

import { absurdJsonValue } from './absurd';
import { mutateBytes, type Mutated } from './bytes';
import type { Rng } from './prng';

type Json = unknown;
type Path = (string | number)[];

/** Every path in `v` to a value (containers included), breadth first, at most `limit`. */
function paths(v: Json, limit = 5000): Path[] {
  const out: Path[] = [];
  const queue: [Path, Json][] = [[[], v]];
  while (queue.length && out.length < limit) {
    const [p, x] = queue.shift()!;
    if (p.length) out.push(p);
    if (Array.isArray(x)) x.forEach((y, i) => queue.push([[...p, i], y]));
    else if (x && typeof x === 'object') for (const [k, y] of Object.entries(x)) queue.push([[...p, k], y]);
  }
  return out;
}

function get(v: Json, p: Path): Json {
  return p.reduce<Json>((x, k) => (x as Record<string | number, Json>)?.[k], v);
}

const show = (p: Path) => p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').slice(1) || '(top)';

/** One edit of the value at `p` inside `root` (changed in place); returns what was done. */
function edit(root: Json, p: Path, rng: Rng): string {
  const parent = get(root, p.slice(0, -1)) as Record<string | number, Json>;
  const key = p[p.length - 1];
  const old = parent[key];
  const choice = rng.int(10);
  if (choice === 0 && !Array.isArray(parent)) {
    delete parent[key];
    return `${show(p)} removed`;
  }
  if (choice === 1 && Array.isArray(parent)) {
    parent.splice(Number(key), 0, rng.chance(0.5) ? old : absurdJsonValue(rng, old));
    return `${show(p)} duplicated or an item inserted before it`;
  }
  if (choice === 2 && Array.isArray(old) && old.length > 0) {
    parent[key] = rng.chance(0.5) ? old.slice(0, rng.int(old.length)) : [...old, ...old];
    return `${show(p)}: list cut or doubled`;
  }
  if (choice === 3 && typeof old === 'string' && old.length > 0) {
    const i = rng.int(old.length);
    parent[key] = old.slice(0, i) + rng.pick(['', ' ', '\u0000', '\ud800', 'x', ' x', old]) + old.slice(i + 1);
    return `${show(p)}: string damaged at ${i}`;
  }
  parent[key] = absurdJsonValue(rng, old);
  return `${show(p)} = ${(JSON.stringify(parent[key]) ?? 'undefined').slice(0, 60)}`;
}

/**
 * Edits `value` (a parsed JSON document; changed in place) 1-3 times. Paths in `targets` (where they
 * exist) are chosen with probability `aim`; others uniformly among every path.
 */
export function mutateJsonValue(value: Json, rng: Rng, targets: Path[] = [], aim = 0.6): string {
  const all = paths(value);
  const present = targets.filter((t) => { const parent = get(value, t.slice(0, -1)); return typeof parent === 'object' && parent !== null; });
  const what: string[] = [];
  for (let n = rng.range(1, 3), i = 0; i < n && all.length; i++) {
    const p = present.length && rng.chance(aim) ? rng.pick(present) : rng.pick(all);
    const parent = get(value, p.slice(0, -1));
    if (typeof parent !== 'object' || parent === null) continue; // an earlier edit replaced its parent
    what.push(edit(value, p, rng));
  }
  return what.join('; ');
}

/** A mutated JSON file: structure-aware edits (4 in 5) or text damage of the serialized original. */
export function mutateJsonFile(bytes: Uint8Array, rng: Rng, targets: Path[] = []): Mutated {
  if (rng.chance(0.2)) {
    const m = mutateBytes(bytes, rng);
    return { bytes: m.bytes, what: `text: ${m.what}` };
  }
  const value = JSON.parse(new TextDecoder().decode(bytes));
  const what = mutateJsonValue(value, rng, targets);
  return { bytes: new TextEncoder().encode(JSON.stringify(value, null, rng.chance(0.5) ? 2 : undefined)), what };
}
