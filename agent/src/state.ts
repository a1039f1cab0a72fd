/** What the agent knows and says about itself, kept on the host: state.json (written whole, then renamed) and agent.log. */
import { appendFileSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// One schema for what the agent writes and the app reads (shared/agent-state.ts).
export type { AgentState, CompletedSend } from '../../shared/agent-state.ts';
export type { AgentTargetState as TargetState } from '../../shared/agent-state.ts';
import type { AgentState } from '../../shared/agent-state.ts';

export class StateFile {
  readonly state: AgentState;
  readonly #dir: string;
  #timer: NodeJS.Timeout | null = null;
  constructor(dir: string, init: Omit<AgentState, 'updatedAt' | 'pointBytes' | 'held'> & Partial<Pick<AgentState, 'pointBytes' | 'held'>>) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.#dir = dir;
    this.state = { pointBytes: {}, held: [], ...init, updatedAt: Date.now() };
    this.flush();
  }

  /** Writes soon (at most a few times a second). */
  touch(): void {
    this.#timer ??= setTimeout(() => { this.#timer = null; this.flush(); }, 200);
  }

  flush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.state.updatedAt = Date.now();
    const tmp = join(this.#dir, 'state.json.tmp');
    writeFileSync(tmp, JSON.stringify(this.state), { mode: 0o600 });
    renameSync(tmp, join(this.#dir, 'state.json'));
  }

  log(message: string): void {
    const file = join(this.#dir, 'agent.log');
    try {
      if (statSync(file).size > 5 * 2 ** 20) renameSync(file, `${file}.1`);
    } catch { /* no log yet */ }
    appendFileSync(file, `${new Date().toISOString()} ${message}\n`, { mode: 0o600 });
  }
}
