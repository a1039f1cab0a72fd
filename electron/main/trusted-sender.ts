/**
 * Only our own window's top frame, showing our own page, may call the back end.
 * (GitHub Desktop's trusted-ipc-sender, made stricter: the URL is checked too.)
 */
export interface SenderFacts {
  webContentsId: number;
  /** URL of the frame that sent the message; null when the frame is gone. */
  frameUrl: string | null;
  /** Whether the sending frame is the top frame of its page. */
  isMainFrame: boolean;
}

export function isTrustedSender(sender: SenderFacts, trustedWebContentsIds: ReadonlySet<number>, appUrl: string): boolean {
  if (!trustedWebContentsIds.has(sender.webContentsId)) return false;
  if (!sender.isMainFrame || sender.frameUrl === null) return false;
  try {
    const u = new URL(sender.frameUrl);
    const app = new URL(appUrl);
    return u.protocol === app.protocol && u.host === app.host && u.pathname === app.pathname;
  } catch {
    return false;
  }
}
