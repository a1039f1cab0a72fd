/**
 * The preload: a hand-picked API, one function per contract method and one subscription
 * per event; no generic invoke(channel). Sandboxed preloads cannot load other files, so
 * the names are written out here; `satisfies` ties them to the contract.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Events, MethodName, Methods } from '../../shared/contract.ts';

type Envelope<T> = { ok: true; result: T } | { ok: false; error: { code: string; message: string } };
type Invoke = { [M in MethodName]: (request: Methods[M]['request']) => Promise<Envelope<Methods[M]['response']>> };
type Subscribe = { [E in keyof Events]: (listener: (payload: Events[E]) => void) => () => void };

const call = <M extends MethodName>(method: M) => (request: Methods[M]['request']) => ipcRenderer.invoke(method, request) as Promise<Envelope<Methods[M]['response']>>;
const subscribe = <E extends keyof Events>(event: E) => (listener: (payload: Events[E]) => void) => {
  const wrapped = (_e: IpcRendererEvent, payload: Events[E]) => listener(payload);
  ipcRenderer.on(`event:${event}`, wrapped);
  return () => void ipcRenderer.removeListener(`event:${event}`, wrapped);
};

const invoke = {
  'app.info': call('app.info'),
  'directory.discover': call('directory.discover'),
  'operation.cancel': call('operation.cancel'),
  'preflight.report': call('preflight.report'),
  'preflight.rules': call('preflight.rules'),
  'preflight.run': call('preflight.run'),
  'protect.plan': call('protect.plan'),
  'protect.apply': call('protect.apply'),
  'jobs.list': call('jobs.list'),
  'jobs.opened': call('jobs.opened'),
  'jobs.status': call('jobs.status'),
  'jobs.points': call('jobs.points'),
  'jobs.rehearsals': call('jobs.rehearsals'),
  'jobs.rehearsalReport': call('jobs.rehearsalReport'),
  'failover.plan': call('failover.plan'),
  'failover.apply': call('failover.apply'),
} satisfies Invoke;

const on = {
  'operation.progress': subscribe('operation.progress'),
} satisfies Subscribe;

contextBridge.exposeInMainWorld('failguard', { invoke, on });
