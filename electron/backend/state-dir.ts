/**
 * This user's own state folder for Failguard: what every Failguard of the user on this computer
 * shares whatever its data folder (the app's userData, the CLI's XDG data folder): run locks and
 * the scheduled rehearsals' slots. Found from the user's account, not from HOME or the session's
 * variables, so the app, `serve`, the CLI and cron agree; FAILGUARD_STATE_DIR overrides it (tests
 * give each run its own).
 */
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

export function userStateDir(): string {
  if (process.env.FAILGUARD_STATE_DIR) return process.env.FAILGUARD_STATE_DIR;
  if (process.platform === 'win32') return join(process.env.LOCALAPPDATA || homedir(), 'Failguard', 'state');
  return join(userInfo().homedir, '.local', 'state', 'failguard');
}
