// Pool thread entry for browsers (a module Web Worker): the init record arrives as the first message.
import { serve } from './worker-loop.js';

self.onmessage = (e) => serve(e.data, () => self.postMessage('ready'));
