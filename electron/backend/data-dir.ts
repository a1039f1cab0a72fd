/**
 * The app's data folder (journals today; jobs and the encrypted store next). The Electron
 * shell points FAILGUARD_DATA_DIR at its userData folder; `serve` and the CLI use the XDG
 * data folder. Tests give each run its own.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function dataDir(): string {
  return process.env.FAILGUARD_DATA_DIR || join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'failguard');
}

/** Where plan journals live: one file per run. */
export const journalDir = () => join(dataDir(), 'journal');
