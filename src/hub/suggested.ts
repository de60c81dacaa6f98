// Small multilingual chat models that cover our eight languages, offered in the Model panel. The
// sizes are approximate and static (the safetensors weights as the Hub lists them, bf16, rounded):
// the page labels them so, and the plan step fetches the exact size from the tree API once one is
// picked. Nothing here reaches the network.

export interface SuggestedModel {
  id: string;
  /** Approximate download (weights + tokenizer), bytes. */
  approxBytes: number;
  note: string;
  /** Needs an access token after accepting the licence on the repo page. */
  gated?: boolean;
}

const MB = 1e6;

export const SUGGESTED_MODELS: readonly SuggestedModel[] = [
  { id: 'HuggingFaceTB/SmolLM2-360M-Instruct', approxBytes: 730 * MB, note: 'Llama-style, 360 M parameters' },
  { id: 'Qwen/Qwen2.5-0.5B-Instruct', approxBytes: 1000 * MB, note: 'Qwen2, 0.5 B, tied embedding' },
  { id: 'Qwen/Qwen3-0.6B', approxBytes: 1520 * MB, note: 'Qwen3, 0.6 B, q/k norms' },
  { id: 'meta-llama/Llama-3.2-1B-Instruct', approxBytes: 2480 * MB, note: 'Llama 3.2, 1.2 B', gated: true },
  { id: 'utter-project/EuroLLM-1.7B-Instruct', approxBytes: 3300 * MB, note: 'EuroLLM, 1.7 B, all EU languages' },
];
