/**
 * The one-shot side of a reload, run over SSH by provisioning: signal the running agent, then
 * wait until its state says it runs on the file now on disk (by hash) — in place, or after the
 * restart the agent chose for a change it cannot take in place.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from './config.ts';
import { configSha256 } from './reload.ts';
import { UserError } from '../../shared/errors.ts';

interface Running { pid: number; configSha256?: string }

function readRunning(stateDir: string): Running | null {
  try {
    return JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as Running;
  } catch {
    return null;
  }
}

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

/** Whether the agent runs on the configuration file as it is now. */
export function configApplied(file: string): { ok: boolean; detail: string } {
  const want = configSha256(file);
  const stateDir = JSON.parse(readFileSync(file, 'utf8')).stateDir as string;
  const r = readRunning(stateDir);
  if (!r || !alive(r.pid)) return { ok: false, detail: 'the agent is not running' };
  return r.configSha256 === want ? { ok: true, detail: `the agent (pid ${r.pid}) runs on this configuration` } : { ok: false, detail: `the agent (pid ${r.pid}) still runs on another configuration` };
}

export async function askReload(file: string, waitMs = 30_000): Promise<string> {
  const c = await loadConfig(file);
  const want = configSha256(file);
  const before = readRunning(c.stateDir);
  if (!before || !alive(before.pid)) throw new UserError('agent-not-running', `The agent on ${c.host} is not running, so it cannot take the new configuration; start it (agentd start) and run the plan again.`);
  if (before.configSha256 === want) return `the agent (pid ${before.pid}) already runs on this configuration`;
  process.kill(before.pid, 'SIGHUP');
  for (const end = Date.now() + waitMs; Date.now() < end;) {
    await new Promise((r) => setTimeout(r, 200));
    const now = readRunning(c.stateDir);
    if (now?.configSha256 === want && alive(now.pid)) return now.pid === before.pid ? `the agent (pid ${now.pid}) took the new configuration in place` : `the agent restarted on the new configuration (pid ${before.pid} → ${now.pid})`;
  }
  throw new UserError('reload-timeout', `The agent on ${c.host} did not take the new configuration within ${waitMs / 1000} s; see ${join(c.stateDir, 'agent.log')}.`);
}
