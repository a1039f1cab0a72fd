/** Picks the transport once, at start-up; nothing else in the UI knows which one it is. */
import type { Backend } from '../../../shared/contract.ts';
import { createHttpBackend } from './http-backend.ts';
import { createIpcBackend, type PreloadApi } from './ipc-backend.ts';

export function connectBackend(): Backend {
  const api = (window as unknown as { failguard?: PreloadApi }).failguard;
  return api ? createIpcBackend(api) : createHttpBackend();
}
