// The training charts as data: which series each draws, how its values print, and the short
// explanation beside it (what it shows, how to read it). TrainCharts renders these records.

/** One point of the charts: a training step, and at evaluation steps the held-out losses. */
export interface ChartRow {
  step: number;
  loss?: number;
  lossNtp?: number;
  lossMap?: number;
  lossCon?: number;
  evalNtp?: number;
  evalMap?: number;
  gradNorm?: number;
  lr?: number;
  tokensPerSecond?: number;
  gflops?: number;
}

export interface SeriesSpec {
  key: Exclude<keyof ChartRow, 'step'>;
  label: string;
  color: string;
  /** Evaluation series: dashed, with a dot at each evaluation. */
  evaluation?: boolean;
  /** Drawn against a second y axis on the right, with its own scale. */
  right?: boolean;
  /** Drawn only when the user asks (a checkbox under the chart). */
  onDemand?: boolean;
}

export interface ChartSpec {
  id: 'loss' | 'gradNorm' | 'throughput' | 'lr';
  title: string;
  series: SeriesSpec[];
  format: (v: number) => string;
  /** Titles of the y axes (the right one when some series is `right`). */
  axes?: { left: string; right?: string };
  /** Spans the whole row (the loss, which the others explain). */
  wide?: boolean;
  explain: { shows: string; read: string };
}

const fixed = (digits: number) => (v: number) => v.toFixed(digits);

export const CHART_SPECS: ChartSpec[] = [
  {
    id: 'loss',
    title: 'Loss',
    series: [
      { key: 'loss', label: 'total', color: '#1d1d1f', onDemand: true },
      { key: 'lossNtp', label: 'NTP', color: '#2f5bd3' },
      { key: 'lossMap', label: 'mapping', color: '#c2571a', right: true },
      { key: 'lossCon', label: 'InfoNCE', color: '#1d7a46', right: true },
      { key: 'evalNtp', label: 'held-out NTP', color: '#2f5bd3', evaluation: true },
      { key: 'evalMap', label: 'held-out mapping', color: '#c2571a', evaluation: true, right: true },
    ],
    format: fixed(2),
    axes: { left: 'NTP (nats/token)', right: 'mapping · InfoNCE' },
    wide: true,
    explain: {
      shows:
        'Cross-entropy per step, in nats per token. NTP (left axis): predicting each next token of single sentences. Mapping (right axis, its own scale): the cross-entropy of the target sentence given the source sentence and the language tags (or prompt); InfoNCE (right) when contrastive alignment is on. Total = NTP + λ · mapping (+ λ_con · InfoNCE), drawn on demand. Dashed with dots: the held-out losses at step 0 and at each evaluation.',
      read: 'Each step sees a different batch, so the solid lines are noisy: watch their trend. λ weighs mapping against NTP in what the optimizer follows. Held-out losses falling with the training ones mean the model generalises to unseen sentences; held-out rising while training falls means it memorises the training tuples.',
    },
  },
  {
    id: 'gradNorm',
    title: 'Gradient norm',
    series: [{ key: 'gradNorm', label: 'grad norm', color: '#6b4fbb' }],
    format: fixed(3),
    explain: {
      shows: 'The global L2 norm of the gradient of the total loss over every trainable tensor, before clipping.',
      read: 'Large at first, settling as training finds its way. Above “Max grad norm” the update is scaled down to it, so spikes cannot throw the weights far; frequent spikes or a steady climb suggest a lower learning rate.',
    },
  },
  {
    id: 'throughput',
    title: 'Tokens per second',
    series: [
      { key: 'tokensPerSecond', label: 'tokens/s', color: '#1d7a46' },
      { key: 'gflops', label: 'GFLOP/s', color: '#6b4fbb', right: true },
    ],
    format: (v) => (v >= 100 ? v.toFixed(0) : v.toPrecision(3)),
    axes: { left: 'tokens/s', right: 'GFLOP/s (matmuls)' },
    explain: {
      shows:
        'Real (unpadded) tokens of each step divided by its time: forward, backward and the AdamW update on this device. Right axis: the matmul arithmetic of those tokens per second (every linear forward and for dX, dW where weights train, LoRA adapters, the vocabulary loss computed twice; attention left out).',
      read: 'The first steps are slower while shaders compile. Longer examples and bigger batches raise it until the GPU is busy; dips are other work on the GPU (evaluation, a checkpoint, another tab). Compare GFLOP/s with the fastest matmul in the GPU panel (Kernels): the gap is what the small matmuls of a short sequence, the elementwise ops and the optimizer cost.',
    },
  },
  {
    id: 'lr',
    title: 'Learning rate',
    series: [{ key: 'lr', label: 'learning rate', color: '#8a6d00' }],
    format: (v) => v.toExponential(1),
    explain: {
      shows: 'The learning rate each step used: a linear warmup to the peak, then a half cosine down to the minimum at the last step.',
      read: 'A plan, not a measurement: compare it with the loss. If the loss jumps when the peak is reached, the peak is too high; if it is still falling steeply at the end, more steps would help.',
    },
  },
];
