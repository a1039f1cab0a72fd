/** The contract over Electron IPC, through the preload's hand-picked API. */
import type { Backend, EventName, Events, MethodName, Methods, RequestOf, ResponseOf } from '../../../shared/contract.ts';
import { unwrap, type Envelope } from './backend-error.ts';

export interface PreloadApi {
  invoke: { [M in MethodName]: (request: Methods[M]['request']) => Promise<Envelope<Methods[M]['response']>> };
  on: { [E in EventName]: (listener: (payload: Events[E]) => void) => () => void };
}

export function createIpcBackend(api: PreloadApi): Backend {
  return {
    async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      const fn = api.invoke[method] as (r: RequestOf<M>) => Promise<Envelope<ResponseOf<M>>>;
      return unwrap(await fn(request));
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      return (api.on[event] as (l: (p: Events[E]) => void) => () => void)(listener);
    },
  };
}
