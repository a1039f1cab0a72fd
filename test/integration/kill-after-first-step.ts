/**
 * A child process for the journal test: runs a plan on the lab with the real engine and
 * kills itself (SIGKILL, as a crash would) right after the first step is journaled done.
 * Input on stdin: { journalDir, plan, host }.
 */
import { readFileSync } from 'node:fs';
import type { HostTarget, HostKeyPin } from '../../shared/hosts.ts';
import type { Plan } from '../../shared/plan.ts';
import { SshPool } from '../../electron/hosts/ssh-pool.ts';
import { planContext } from '../../electron/plans/context.ts';
import { Journal } from '../../electron/plans/journal.ts';
import { runPlans } from '../../electron/plans/engine.ts';

const input = JSON.parse(readFileSync(0, 'utf8')) as { journalDir: string; plan: Plan; host: HostTarget; pins: HostKeyPin[] };

class KillingJournal extends Journal {
  override write(r: Parameters<Journal['write']>[0]): void {
    super.write(r);
    if (r.t === 'step-done' && r.index === 0) process.kill(process.pid, 'SIGKILL');
  }
}

const pool = new SshPool({ pins: input.pins });
const started = Journal.create(input.journalDir, [input.plan], [input.host.name]);
const journal = new KillingJournal(started.file, started.runId);
await runPlans([input.plan], planContext({ hosts: [input.host], pool }), journal);
process.stdout.write('not killed\n');
process.exit(0);
