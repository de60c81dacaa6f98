import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BenchPage } from '../ui/BenchPage';
import type { BENCH_PRESETS } from '../worker/bench-model';
import { App } from './App';
import { engine } from './engine';
import './styles.css';

// ?bench=kernels[&sizes=256,512][&verify], ?bench=model[&preset=small|medium], ?bench=train
const params = new URLSearchParams(location.search);
const bench = params.get('bench');

function page() {
  if (bench === 'kernels') {
    const sizes = params.get('sizes')?.split(',').map(Number);
    return <BenchPage engine={engine} title="Kernel benchmark" run={() => engine.benchKernels({ sizes, verify: params.has('verify') })} />;
  }
  if (bench === 'model') {
    const preset = (params.get('preset') ?? 'small') as keyof typeof BENCH_PRESETS;
    return <BenchPage engine={engine} title="Model benchmark: our engine vs onnxruntime-web" run={() => engine.benchModel({ preset })} />;
  }
  if (bench === 'train') {
    return <BenchPage engine={engine} title="Training benchmark" run={() => engine.benchTraining()} />;
  }
  return <App />;
}

createRoot(document.getElementById('root')!).render(<StrictMode>{page()}</StrictMode>);
