/**
 * The automatic failover, run by the target's own agent once the witness granted the lease:
 * the failover plan sealed at provisioning (the very plan `failguard failover` shows), on the
 * one plan engine, journaled in the agent's state folder. This host's steps run here; the
 * directory's through the account sealed under the witness's key (handed over with the lease).
 * A run cut short (the agent killed, the host rebooted) is resumed when the agent starts again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from '../config.ts';
import type { Plan, PlanRunResult } from '../../../shared/plan.ts';
import { UserError, plainMessage } from '../../../shared/errors.ts';
import { runPlans } from '../../../electron/plans/engine.ts';
import { Journal, jobOrigin } from '../../../electron/plans/journal.ts';
import { recoverInterrupted } from '../../../electron/plans/recover.ts';
import type { PlanContext, StepHost } from '../../../electron/plans/step-kit.ts';
import { openSession, type LdapSession, type SessionOptions } from '../../../electron/directory/ldap-session.ts';
import { readRootDse } from '../../../electron/directory/exchange-reader.ts';
import { openAccess } from '../../../electron/directory/sealed-access.ts';
import { sh } from '../monitor/services.ts';
import type { Note } from '../../../shared/agent-events.ts';

/** This host, as a plan step sees it: commands run here (no SSH to itself). */
const localHost: StepHost = {
  async exec(command, o = {}) {
    const started = performance.now();
    const r = await sh(command, o.timeoutMs ?? 120_000, o.stdin);
    return { code: r.code, stdout: r.output, stderr: '', ms: performance.now() - started };
  },
  async upload() {
    throw new UserError('bad-plan', 'A failover plan copies no files.');
  },
};

function context(c: AgentConfig, leaseKey: string | null): PlanContext & { names: string[]; close(): Promise<void> } {
  let session: Promise<{ s: LdapSession; baseDn: string }> | null = null;
  const extra: LdapSession[] = [];
  const access = (): SessionOptions & { tsig?: Record<string, string> } => {
    if (!c.failover?.accessFile) throw new UserError('no-directory', 'This failover writes to the directory, and no directory account was sealed for it at provisioning.');
    if (!leaseKey) throw new UserError('no-lease-key', 'The witness gave no key with the lease, so the directory account cannot be opened.');
    return openAccess<SessionOptions & { tsig?: Record<string, string> }>(leaseKey, readFileSync(c.failover.accessFile, 'utf8'));
  };
  const open = () => openSession(access());
  return {
    names: [c.host, 'directory'],
    tsigSecret: (name) => access().tsig?.[name],
    async host(name) {
      if (name !== c.host) throw new UserError('bad-plan', `${name} is not this host; an automatic failover runs only ${c.host}'s steps and the directory's.`);
      return localHost;
    },
    async directory() {
      session ??= open().then(async (s) => ({ s, baseDn: (await readRootDse(s.client)).defaultNamingContext }));
      session.catch(() => { session = null; });
      const { s, baseDn } = await session;
      return { client: s.client, baseDn };
    },
    async directoryClients(n) {
      const first = (await this.directory()).client;
      while (extra.length < n - 1) extra.push(await open());
      return [first, ...extra.map((s) => s.client)];
    },
    async close() {
      await (await session?.catch(() => null))?.s.close();
      for (const s of extra) await s.close();
    },
  };
}

/** Runs the sealed plan (or finishes the run of it cut short); null when it applied, else the sentence saying where it stopped. */
export async function runAutomaticFailover(c: AgentConfig, leaseKey: string | null, note: Note): Promise<string | null> {
  if (!c.failover) return 'no failover plan was provisioned on this host';
  const plan = JSON.parse(readFileSync(c.failover.planFile, 'utf8')) as Plan;
  const dir = join(c.stateDir, 'journal');
  const ctx = context(c, leaseKey);
  const onStep = (s: { index: number; status: string }) => note({ kind: 'failover', step: s.index + 1, of: plan.steps.length, status: s.status, description: plan.steps[s.index]?.description ?? '', message: `step ${s.index + 1} of ${plan.steps.length} ${s.status} (${plan.steps[s.index]?.description ?? ''})` });
  try {
    const resumed = await recoverInterrupted(dir, ctx, { onStep, origin: jobOrigin(c.jobId) });
    const done = resumed.flatMap((r) => r.results ?? []).find((r) => r.planId === plan.id);
    const results: PlanRunResult[] = done ? [done] : await runPlans([plan], ctx, Journal.create(dir, [plan], ctx.names, jobOrigin(c.jobId)), { onStep });
    const r = results[0]!;
    note({ kind: 'failover', status: r.outcome, message: `${r.outcome}${r.error ? `: ${r.error}` : ''}` });
    return r.outcome === 'applied' ? null : r.error ?? r.outcome;
  } catch (e) {
    return plainMessage(e);
  } finally {
    await ctx.close();
  }
}
