import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BenchPage } from '../ui/BenchPage';
import { App } from './App';
import { engine } from './engine';
import './styles.css';

const params = new URLSearchParams(location.search);
const bench = params.get('bench');
const sizes = params.get('sizes')?.split(',').map(Number);

createRoot(document.getElementById('root')!).render(
  <StrictMode>{bench === 'kernels' ? <BenchPage engine={engine} opts={{ sizes, verify: params.has('verify') }} /> : <App />}</StrictMode>,
);
