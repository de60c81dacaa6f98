// The Inspect panel's views as data: each view's title, the formula it rests on, and the short
// explanation beside it (what it shows, how to read it); the fixed colour of each language; and the
// columns of every numbers download. The components render these records.

import type { AlignmentRow } from '../align/analyze';

export type ViewId = 'map' | 'lac' | 'heatmap' | 'retrieval' | 'history';

export interface ViewSpec {
  id: ViewId;
  title: string;
  /** Shown in monospace above the explanation. */
  formula?: string;
  explain: { shows: string; read: string };
  /** One sentence per baseline the view draws: what a number would be without a model's help. */
  baselines?: string[];
}

/** The baselines, one sentence each (src/align/baselines.ts). */
export const BASELINE_NOTES = {
  chance: 'Chance: a random guess finds the translation among n candidates with probability 1/n, so P@1 = 1/n.',
  null: 'Shuffled pairs: LAC of the same vectors with the translation pairing shuffled 1000 times (95% band); a LAC inside it says nothing.',
  surface: 'Surface: the same metric on counts of character 1–3-grams of the sentences, with no model at all — how much shared spelling (alphabet, cognates, kanji) gives by itself.',
} as const;

export const VIEW_SPECS: Record<ViewId, ViewSpec> = {
  map: {
    id: 'map',
    title: 'Embedding map',
    explain: {
      shows:
        'Every sentence of every chosen language as one point: its pooled hidden state at the chosen layer, projected to 2-D together with all the others (PCA: the two directions of largest variance; UMAP: a layout that keeps near neighbours near). Thin lines join the translations of one tuple.',
      read: 'Clusters by colour mean the layer still encodes mostly the language; translations of a tuple falling together mean it encodes the meaning across languages. Click a point to see its tuple in every language and its nearest sentences at this layer (by cosine in the full space, not on the map). Drag to pan, scroll to zoom.',
    },
  },
  lac: {
    id: 'lac',
    title: 'LAC per layer',
    formula: 'LAC = (mean diag S − mean offdiag S) / (1 − mean offdiag S)',
    explain: {
      shows:
        'The Language Alignment Coefficient of each language pair at every hidden state (0 = embeddings). S = X Yᵀ is the cosine similarity of every sentence of A with every sentence of B, after centring each language on its own mean and normalising. Bands: the 95% bootstrap interval over sentences (1000 resamples, seed 0).',
      read: '1 when translations coincide, 0 when translations are no closer than random pairs. It uses all n² similarities, so it is steady with few sentences; narrow bands mean the number would hold on other sentences like these. Our formula (the paper does not publish its own).',
    },
    baselines: [BASELINE_NOTES.null, `${BASELINE_NOTES.surface} Dashed lines, one per pair, in the pair's colour.`],
  },
  heatmap: {
    id: 'heatmap',
    title: 'Language × language',
    explain: {
      shows: 'One coefficient per pair of languages at the chosen layer: LAC, or MEXA — the share of sentences whose translation is their mutual nearest neighbour across the two languages (Kargaran et al. 2024).',
      read: 'Darker is better aligned; the colour scale spans the values shown (legend below), so small differences stay visible. Rows of one language lighter than the rest point at the language the model has learned least; compare blocks of related languages (cs–uk, zh–ja) with distant ones.',
    },
    baselines: [`${BASELINE_NOTES.surface} Each cell prints it small under the model's value; a ▲ marks cells where the model beats it.`, `${BASELINE_NOTES.null} The legend marks the widest such band at this layer.`],
  },
  history: {
    id: 'history',
    title: 'LAC during training',
    explain: {
      shows:
        'LAC at the chosen layer for the paper\'s pairs (EN–ZH, EN–CS, CS–UK, ZH–JA, where chosen), measured on the held-out test sentences before training (step 0) and again every k steps while the preset trains; bands are 95% bootstrap intervals.',
      read: 'A line that climbs out of its step-0 band means the mapping task has pulled translations closer than chance would explain. The preset trains on English-centric pairs only, so CS–UK and ZH–JA show whether alignment transfers to pairs never seen together. What to expect on the embedded 1.3 M-parameter model: the lines stay inside their bands — at this size and budget the paper\'s effect does not reproduce (the README\'s experiment, with every setting we tried); contrastive alignment (the preset “…with contrastive alignment”, or the contrastive weight in the Train panel), which optimises alignment at one layer directly, is what moves them.',
    },
  },
  retrieval: {
    id: 'retrieval',
    title: 'Retrieval at this layer',
    formula: 'alignment = mean ‖x − y‖²   (Wang & Isola, α = 2)',
    explain: {
      shows: 'P@1 a→b: the share of sentences of a whose most similar sentence of b is their translation (b→a the other way). MEXA: both directions at once. Mean cosine: of translation pairs. Alignment: mean squared distance of translation pairs on the unit sphere.',
      read: 'P@1 and MEXA are strict (only the very nearest counts) and move in steps of 1/n; mean cosine and alignment change smoothly. Lower alignment is better.',
    },
    baselines: [BASELINE_NOTES.chance, `${BASELINE_NOTES.surface} Its P@1 and MEXA sit in grey beside the model's.`],
  },
};

/** Fixed colour per language code, so a language keeps its colour in every view and run. */
export const LANGUAGE_COLORS: Record<string, string> = {
  en: '#2f5bd3',
  zh: '#d2462f',
  ja: '#e08a00',
  de: '#1d7a46',
  fr: '#8e44ad',
  es: '#b8860b',
  cs: '#0e8c8c',
  uk: '#c2417a',
};

const FALLBACK_COLORS = ['#5a5a5a', '#7f6a00', '#00628b', '#8b3a00', '#4b6b00', '#6a1b9a'];

export function languageColor(language: string): string {
  const fixed = LANGUAGE_COLORS[language];
  if (fixed) return fixed;
  let h = 0;
  for (const ch of language) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return FALLBACK_COLORS[h % FALLBACK_COLORS.length];
}

/** The pairs the experiment reports (src/experiment/arms.ts REPORT_PAIRS), as 'a–b' labels in either order. */
export function isReportPair(r: { a: string; b: string }, pairs: readonly (readonly [string, string])[]): boolean {
  return pairs.some(([a, b]) => (a === r.a && b === r.b) || (a === r.b && b === r.a));
}

/** Colours of language pairs in the LAC chart, in pair order. */
export const PAIR_COLORS = ['#2f5bd3', '#d2462f', '#1d7a46', '#8e44ad', '#e08a00', '#0e8c8c', '#c2417a', '#5a5a5a', '#b8860b', '#00628b'];

export function pairColor(i: number): string {
  return PAIR_COLORS[i % PAIR_COLORS.length];
}

/** Columns of the LAC chart's CSV: one row per (layer, pair). */
export const LAC_CSV_COLUMNS = ['layer', 'a', 'b', 'lac', 'lacLow', 'lacHigh', 'nullLow', 'nullHigh', 'mexa', 'p1AtoB', 'p1BtoA', 'meanCosine', 'alignment'] as const satisfies readonly (keyof AlignmentRow)[];

/** Columns of the retrieval table's CSV (the rows of one layer). */
export const RETRIEVAL_CSV_COLUMNS = ['layer', 'a', 'b', 'p1AtoB', 'p1BtoA', 'mexa', 'meanCosine', 'alignment', 'lac'] as const satisfies readonly (keyof AlignmentRow)[];

export const pairLabel = (r: { a: string; b: string }) => `${r.a}–${r.b}`;
