// WorkerEngine: EngineApi over a dedicated worker. Each call gets an id; replies settle it, typed
// errors are rebuilt from { name, message, data }; events go to `onEvent` listeners.

import { deserializeError } from '../errors';
import type { EngineApi, EngineListener } from './engine';
import type { CallMessage, Method, ReplyMessage } from './protocol';

/** The part of Worker the client needs (a MessagePort or a test double would do). */
export interface WorkerLike {
  postMessage(m: CallMessage): void;
  addEventListener(type: 'message', l: (e: MessageEvent<ReplyMessage>) => void): void;
  addEventListener(type: 'error', l: (e: ErrorEvent) => void): void;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

export class WorkerEngine implements EngineApi {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<EngineListener>();

  constructor(private readonly worker: WorkerLike) {
    worker.addEventListener('message', (e) => this.onReply(e.data));
    worker.addEventListener('error', (e) => {
      const err = new Error(`The engine worker failed: ${e.message || 'script error'}. Reload the page.`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  init = this.method('init');
  selfTest = this.method('selfTest');
  benchKernels = this.method('benchKernels');
  poolStats = this.method('poolStats');
  kernelTuning = this.method('kernelTuning');
  loadModel = this.method('loadModel');
  modelInfo = this.method('modelInfo');
  forward = this.method('forward');
  generate = this.method('generate');
  embed = this.method('embed');
  tokenize = this.method('tokenize');
  checkOnnxParity = this.method('checkOnnxParity');
  benchModel = this.method('benchModel');
  benchTraining = this.method('benchTraining');
  startTraining = this.method('startTraining');
  prepareTraining = this.method('prepareTraining');
  pauseTraining = this.method('pauseTraining');
  resumeTraining = this.method('resumeTraining');
  stopTraining = this.method('stopTraining');
  trainingStatus = this.method('trainingStatus');
  saveCheckpoint = this.method('saveCheckpoint');
  listCheckpoints = this.method('listCheckpoints');
  restoreCheckpoint = this.method('restoreCheckpoint');
  translate = this.method('translate');
  perplexity = this.method('perplexity');
  analyze = this.method('analyze');
  adoptShippedAnalysis = this.method('adoptShippedAnalysis');
  projectEmbeddings = this.method('projectEmbeddings');
  nearestNeighbours = this.method('nearestNeighbours');
  planHubModel = this.method('planHubModel');
  listHubCache = this.method('listHubCache');
  deleteHubModel = this.method('deleteHubModel');

  onEvent(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private method<M extends Method>(method: M): EngineApi[M] {
    return ((...args: Parameters<EngineApi[M]>) =>
      new Promise((resolve, reject) => {
        const id = this.nextId++;
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ kind: 'call', id, method, args } as CallMessage<M>);
      })) as EngineApi[M];
  }

  private onReply(msg: ReplyMessage): void {
    if (msg.kind === 'event') {
      for (const l of this.listeners) l(msg.event);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.kind === 'return') p.resolve(msg.value);
    else p.reject(deserializeError(msg.error));
  }
}

