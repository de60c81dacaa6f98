// Deterministic batches for the mixed objective L = L_ntp + lambda * L_map.
//
// Candidates, built once from the corpus:
//   map: every tuple x every chosen pair x each direction (A->B, and B->A when directions = 'both'),
//        where the tuple has non-empty text in both languages;
//   ntp: every tuple x every language of the chosen pairs (each sentence once), monolingual NTP.
// Each kind is its own epoch-style stream: shuffled with its own Rng, walked through, reshuffled
// (from the pristine list) at the end. Which kind each example takes is deterministic error
// diffusion: example n is NTP iff that keeps the running NTP count at floor(n * ntpFraction), so
// the share is exact to one example at every point, whatever the corpus size (one shared list
// would fix the share at corpus proportions).
//
// Length policy (maxLength, default 512 tokens): NTP examples are TRUNCATED to their first
// maxLength tokens (the EOS is then lost, as in chunked LM training); mapping examples longer than
// maxLength are DROPPED (skipped and counted): a cut target would teach nothing about ending a
// translation, a cut source would misalign it.
//
// State = per stream (epoch, rng state at that epoch's shuffle, position) + counters: the
// permutation is rebuilt on restore, so a checkpoint stays small for any corpus.

import { TrainConfigError } from '../errors';
import type { Tokenizer } from '../model/tokenizer';
import { fnv1a, stableJson } from './fingerprint';
import { Rng, type RngState } from './rng';
import { encodeMapping, encodeMonolingual, validateTemplate, type Example, type MappingTemplate } from './template';

/** One sentence per language, translations of each other: { en: 'Hello', zh: '你好' }. */
export type ParallelTuple = Record<string, string>;
export type LangPair = readonly [string, string];
export type ExampleKind = 'ntp' | 'map';

export interface MixConfig {
  /** Share of examples that are monolingual NTP, in [0, 1]. */
  ntpFraction: number;
  /** 'both': A->B and B->A for each pair [A, B]; 'forward': A->B only. */
  directions: 'both' | 'forward';
  /** Longest example in tokens (NTP truncated, mapping dropped); default 512. */
  maxLength?: number;
}

export interface Batch {
  B: number;
  /** Longest example in this batch (rows are right-padded to it). */
  T: number;
  /** [B*T] token ids, row-major, 0 past each row's length. */
  ids: Uint32Array;
  /** [B*T] targets[b,t] = ids[b,t+1]; 0 where t+1 >= lengths[b]. */
  targets: Uint32Array;
  /** [B*T] loss weight of predicting targets[b,t]; 0 on padding and at the last real position. */
  weights: Float32Array;
  /** [B*T] `weights` on NTP rows, 0 elsewhere; ntpWeights + mapWeights = weights. */
  ntpWeights: Float32Array;
  /** [B*T] `weights` on mapping rows, 0 elsewhere. */
  mapWeights: Float32Array;
  /** Sums of ntpWeights and mapWeights: the token counts that normalise L_ntp and L_map. */
  weightSums: { ntp: number; map: number };
  /** [B] real tokens per row. */
  lengths: number[];
  /** [B] what each row trains. */
  kinds: ExampleKind[];
  /** [B] 'en->zh' for mapping rows, the language code ('en') for NTP rows. */
  directions: string[];
}

interface StreamState {
  epoch: number;
  /** Rng state just before this epoch's shuffle. */
  epochRng: RngState;
  pos: number;
}

export interface SamplerState {
  version: 1;
  seed: number;
  /** Hash of corpus, pairs, mix, template and vocabulary size: restore refuses other data. */
  fingerprint: string;
  produced: number;
  ntpProduced: number;
  /** Mapping examples dropped for length so far. */
  skipped: number;
  map: StreamState;
  ntp: StreamState;
}

/** An epoch-style walk over candidate codes. */
class Stream {
  private perm: number[] = [];
  pos = 0;
  epoch = 0;
  epochRng: RngState;

  constructor(readonly base: readonly number[], private rng: Rng) {
    this.epochRng = rng.state();
    this.perm = this.rng.shuffle([...this.base]);
  }

  restore(s: StreamState): void {
    this.rng = Rng.fromState(s.epochRng);
    this.epochRng = this.rng.state();
    this.perm = this.rng.shuffle([...this.base]);
    this.pos = s.pos;
    this.epoch = s.epoch;
  }

  take(): number {
    if (this.pos >= this.perm.length) {
      this.epoch++;
      this.epochRng = this.rng.state();
      this.perm = this.rng.shuffle([...this.base]);
      this.pos = 0;
    }
    return this.perm[this.pos++];
  }

  state(): StreamState {
    return { epoch: this.epoch, epochRng: [...this.epochRng], pos: this.pos };
  }
}

const has = (t: ParallelTuple, lang: string) => typeof t[lang] === 'string' && t[lang] !== '';

export class BatchSampler {
  private readonly maxLength: number;
  private readonly langs: string[];
  private readonly dirs: number;
  private readonly fingerprint: string;
  private readonly mapStream: Stream;
  private readonly ntpStream: Stream;
  private produced = 0;
  private ntpProduced = 0;
  private skipped = 0;

  constructor(
    private readonly tuples: readonly ParallelTuple[],
    private readonly pairs: readonly LangPair[],
    private readonly mix: MixConfig,
    private readonly tokenizer: Tokenizer,
    private readonly template: MappingTemplate,
    private readonly seed: number,
  ) {
    validateTemplate(template);
    const bad = (setting: string, value: unknown, why: string) => new TrainConfigError(why, { setting, value });
    const f = mix.ntpFraction;
    if (!(f >= 0 && f <= 1)) throw bad('ntpFraction', f, `The NTP share (ntpFraction) must be in [0, 1], got ${f}.`);
    if (mix.directions !== 'both' && mix.directions !== 'forward') throw bad('directions', mix.directions, `directions must be 'both' or 'forward', got ${String(mix.directions)}.`);
    this.maxLength = mix.maxLength ?? 512;
    if (!(Number.isInteger(this.maxLength) && this.maxLength >= 2)) throw bad('maxLength', mix.maxLength, `maxLength must be an integer >= 2, got ${mix.maxLength}.`);
    if (pairs.length === 0) throw bad('pairs', [], 'Choose at least one language pair: it names the languages for both tasks.');
    for (const [a, b] of pairs) {
      if (a === b) throw bad('pairs', [a, b], `The pair ${a}-${b} maps a language to itself.`);
      // NTP-only training (pre-training on one-language rows) never draws a mapping example.
      if (f < 1 && !tuples.some((t) => has(t, a) && has(t, b))) throw bad('pairs', [a, b], `The corpus has no sentence with both ${a} and ${b}; pick a pair it covers.`);
    }
    this.langs = [...new Set(pairs.flat())];
    this.dirs = mix.directions === 'both' ? 2 : 1;

    // Candidate codes: map (tuple * P + pair) * dirs + dir; ntp tuple * L + lang.
    const mapBase: number[] = [];
    const ntpBase: number[] = [];
    tuples.forEach((t, i) => {
      pairs.forEach(([a, b], p) => {
        if (has(t, a) && has(t, b)) for (let d = 0; d < this.dirs; d++) mapBase.push((i * pairs.length + p) * this.dirs + d);
      });
      this.langs.forEach((l, j) => has(t, l) && ntpBase.push(i * this.langs.length + j));
    });
    this.mapStream = new Stream(mapBase, new Rng(seed * 2));
    this.ntpStream = new Stream(ntpBase, new Rng(seed * 2 + 1));

    const used = tuples.flatMap((t) => this.langs.flatMap((l) => [l, t[l] ?? '']));
    this.fingerprint = fnv1a([String(tuples.length), stableJson(pairs), stableJson({ ...mix, maxLength: this.maxLength }), stableJson(template), String(tokenizer.vocabSize), ...used]);
  }

  /** A sampler that continues exactly where the one whose `state()` gave `state` stopped. Throws TrainConfigError when the data or settings differ. */
  static restore(tuples: readonly ParallelTuple[], pairs: readonly LangPair[], mix: MixConfig, tokenizer: Tokenizer, template: MappingTemplate, state: SamplerState): BatchSampler {
    const s = new BatchSampler(tuples, pairs, mix, tokenizer, template, state.seed);
    if (state.version !== 1 || state.fingerprint !== s.fingerprint) {
      throw new TrainConfigError('The saved data order belongs to another corpus, language pairs, mix, template or tokenizer; start the data order afresh or load the matching settings.', {
        setting: 'samplerState',
        value: state.fingerprint,
      });
    }
    s.mapStream.restore(state.map);
    s.ntpStream.restore(state.ntp);
    s.produced = state.produced;
    s.ntpProduced = state.ntpProduced;
    s.skipped = state.skipped;
    return s;
  }

  state(): SamplerState {
    const { seed, fingerprint, produced, ntpProduced, skipped } = this;
    return { version: 1, seed, fingerprint, produced, ntpProduced, skipped, map: this.mapStream.state(), ntp: this.ntpStream.state() };
  }

  /** Epochs completed per stream and mapping examples dropped for length, for the UI. */
  progress(): { mapEpoch: number; ntpEpoch: number; skipped: number; produced: number } {
    return { mapEpoch: this.mapStream.epoch, ntpEpoch: this.ntpStream.epoch, skipped: this.skipped, produced: this.produced };
  }

  /** The next example: its kind by error diffusion on ntpFraction, its content from that kind's stream. */
  private nextExample(): { ex: Example; kind: ExampleKind; direction: string } {
    const n = this.produced + 1;
    const ntp = this.ntpProduced + 1 <= n * this.mix.ntpFraction + 1e-9;
    this.produced = n;
    if (ntp) {
      this.ntpProduced++;
      const c = this.ntpStream.take();
      const lang = this.langs[c % this.langs.length];
      const ex = encodeMonolingual(this.tokenizer, this.tuples[Math.floor(c / this.langs.length)][lang]);
      return { ex: { ids: ex.ids.slice(0, this.maxLength), weights: ex.weights.slice(0, this.maxLength) }, kind: 'ntp', direction: lang };
    }
    // The rest of this epoch and one whole next epoch hold every candidate.
    for (let tries = 0; tries <= 2 * this.mapStream.base.length; tries++) {
      const c = this.mapStream.take();
      const d = c % this.dirs;
      const rest = Math.floor(c / this.dirs);
      const [a, b] = this.pairs[rest % this.pairs.length];
      const tuple = this.tuples[Math.floor(rest / this.pairs.length)];
      const [src, tgt] = d === 0 ? [a, b] : [b, a];
      const ex = encodeMapping(this.tokenizer, this.template, src, tuple[src], tgt, tuple[tgt]);
      if (ex.ids.length <= this.maxLength) return { ex, kind: 'map', direction: `${src}->${tgt}` };
      this.skipped++;
    }
    throw new TrainConfigError(`Every mapping example is longer than maxLength = ${this.maxLength} tokens; raise maxLength or use shorter sentences.`, { setting: 'maxLength', value: this.maxLength });
  }

  /** The next `batchSize` examples, right-padded to the longest of them. */
  next(batchSize: number): Batch {
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new TrainConfigError(`Batch size must be an integer >= 1, got ${batchSize}.`, { setting: 'batchSize', value: batchSize });
    const rows = Array.from({ length: batchSize }, () => this.nextExample());
    const B = batchSize;
    const T = Math.max(...rows.map((r) => r.ex.ids.length));
    const ids = new Uint32Array(B * T);
    const targets = new Uint32Array(B * T);
    const weights = new Float32Array(B * T);
    const ntpWeights = new Float32Array(B * T);
    const mapWeights = new Float32Array(B * T);
    const weightSums = { ntp: 0, map: 0 };
    rows.forEach(({ ex, kind }, b) => {
      const L = ex.ids.length;
      const own = kind === 'ntp' ? ntpWeights : mapWeights;
      for (let t = 0; t < L; t++) ids[b * T + t] = ex.ids[t];
      for (let t = 0; t + 1 < L; t++) {
        const w = ex.weights[t + 1]; // example weights index the predicted token
        targets[b * T + t] = ex.ids[t + 1];
        weights[b * T + t] = w;
        own[b * T + t] = w;
        weightSums[kind] += w;
      }
    });
    return { B, T, ids, targets, weights, ntpWeights, mapWeights, weightSums, lengths: rows.map((r) => r.ex.ids.length), kinds: rows.map((r) => r.kind), directions: rows.map((r) => r.direction) };
  }
}
