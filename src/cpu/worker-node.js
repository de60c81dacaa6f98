// Pool thread entry for Node (worker_threads): the init record arrives as workerData.
import { parentPort, workerData } from 'node:worker_threads';
import { serve } from './worker-loop.js';

serve(workerData, () => parentPort?.postMessage('ready'));
