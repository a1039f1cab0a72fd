/** The shape of the back end's handlers: one per contract method, each given a way to push events. */
import type { EventName, Events, MethodName, RequestOf, ResponseOf } from '../../shared/contract.ts';

export interface CallContext {
  emit<E extends EventName>(event: E, payload: Events[E]): void;
}

export type Handlers = { [M in MethodName]: (request: RequestOf<M>, ctx: CallContext) => Promise<ResponseOf<M>> };
