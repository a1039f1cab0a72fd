/** The contract over HTTP + server-sent events, for `failguard serve`. The token travels in a cookie. */
import type { Backend, EventName, Events, MethodName, RequestOf, ResponseOf } from '../../../shared/contract.ts';
import { BackendError, unwrap, type Envelope } from './backend-error.ts';

export function createHttpBackend(base = ''): Backend {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  let source: EventSource | undefined;
  const ensureStream = () => {
    if (source) return;
    source = new EventSource(`${base}/api/events`);
    source.onmessage = (m: MessageEvent<string>) => {
      const { event, payload } = JSON.parse(m.data) as { event: EventName; payload: never };
      for (const l of listeners.get(event) ?? []) l(payload);
    };
  };
  return {
    async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      let res: Response;
      try {
        res = await fetch(`${base}/api/call/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request), credentials: 'same-origin' });
      } catch {
        throw new BackendError({ code: 'offline', message: 'Failguard is not answering; check that failguard serve is still running.' });
      }
      if (res.status === 403) throw new BackendError({ code: 'forbidden', message: 'This page lost its access token; open the address failguard serve printed again.' });
      return unwrap((await res.json()) as Envelope<ResponseOf<M>>);
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      ensureStream();
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(event, set);
      return () => void set.delete(listener as (payload: never) => void);
    },
  };
}
