/**
 * The main-process side of the contract over Electron IPC: one `handle` per method,
 * each behind the sender check; events go to our windows only.
 * Not run here (no Electron binary on this machine); the pieces it composes are tested.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { METHOD_NAMES, type EventName, type Events } from '../../shared/contract.ts';
import { createHandlers, dispatch, type CallContext } from '../backend/handlers.ts';
import { toContractError } from '../backend/errors.ts';
import { isTrustedSender } from './trusted-sender.ts';
import type { JobSecrets } from '../jobs/job-secrets.ts';

export function registerIpc(windows: () => BrowserWindow[], appUrl: string, secrets: JobSecrets): void {
  const trusted = () => new Set(windows().map((w) => w.webContents.id));
  const ctx: CallContext = {
    emit<E extends EventName>(event: E, payload: Events[E]) {
      for (const w of windows()) w.webContents.send(`event:${event}`, payload);
    },
  };
  const handlers = createHandlers({ transport: 'electron-ipc', secrets });
  for (const method of METHOD_NAMES) {
    ipcMain.handle(method, async (e: IpcMainInvokeEvent, request: unknown) => {
      const sender = { webContentsId: e.sender.id, frameUrl: e.senderFrame?.url ?? null, isMainFrame: e.senderFrame?.parent === null };
      if (!isTrustedSender(sender, trusted(), appUrl)) return { ok: false, error: { code: 'forbidden', message: 'This message did not come from the Failguard window.' } };
      try {
        return { ok: true, result: await dispatch(handlers, method, request, ctx) };
      } catch (err) {
        return { ok: false, error: toContractError(err) };
      }
    });
  }
}
