/** Pre-flight against the lab: requests built from lab status, and a break → catch → fix → pass cycle. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { HostTarget } from '../../shared/hosts.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding, PreflightRequest } from '../../shared/preflight.ts';
import type { FixPlan } from '../../shared/plan.ts';
import { SshPool } from '../../electron/hosts/ssh-pool.ts';
import { runPreflight, type ConsentDecision, type PreflightRun } from '../../electron/preflight/run.ts';
import { planContext } from '../../electron/plans/context.ts';
import { consentTo } from '../../electron/preflight/consent.ts';
import { hostOf, inHost, labStatus, type LabStatus } from './helpers.ts';

export const s: LabStatus = labStatus();

export function labHost(name: string, directoryName = name.toUpperCase(), keyFile?: string): HostTarget {
  const h = hostOf(s, name);
  return { name: directoryName, address: h.address, port: 22, user: 'root', auth: { kind: 'key', keyFile: keyFile ?? h.keyFile } };
}

export const pins = s.hosts.map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! }));

export function labRequest(over: Partial<PreflightRequest> = {}): PreflightRequest {
  return {
    operationId: `test-${Date.now()}`,
    source: labHost('mail1'), targets: [labHost('mail2')], witness: labHost('witness', 'witness'),
    directory: { target: { kind: 'domain', domain: 'lab.test', dnsServer: s.directory.dnsServer }, credentials: { username: s.directory.bindDn, password: readFileSync(s.directory.passwordFile, 'utf8').trim() }, trust: { caPem: readFileSync(s.directory.caFile, 'utf8') } },
    pins, ...over,
  };
}

/** A journal folder of the test's own (the app's data folder is never touched by tests). */
export const testJournalDir = () => mkdtempSync(join(tmpdir(), 'fg-journal-'));

export async function preflightOnce(req = labRequest(), consent?: ConsentDecision, journalDir = testJournalDir()): Promise<PreflightRun> {
  const pool = new SshPool({ pins: req.pins, acceptUnknown: req.acceptHostKeys ?? [] });
  const ctx = planContext({ hosts: [req.source, ...req.targets, ...(req.witness ? [req.witness] : [])], pool, ...(req.directory ? { directory: req.directory } : {}) });
  try {
    return await runPreflight(req, { pool, ...(consent ? { consent } : {}), fixes: { ctx, journalDir } });
  } finally {
    await ctx.close();
    await pool.closeAll();
  }
}

export const findingsOf = (run: PreflightRun, ruleId: string, host?: string): Finding[] => run.findings.filter((f) => f.ruleId === ruleId && (!host || f.host === host));

export const sh = (host: string, cmd: string) => {
  const r = inHost(s, host, cmd);
  if (r.code !== 0) throw new Error(`${host}$ ${cmd} failed: ${r.stderr}`);
  return r.stdout;
};

/** Breaks the lab, proves the rule catches it, applies only that rule's fix, proves it passes again. */
export async function breakCatchFix(o: { rule: string; host: string; breakIt: () => void | Promise<void>; restore?: () => void | Promise<void> }): Promise<{ before: Finding[]; after: Finding[]; plan: FixPlan }> {
  await o.breakIt();
  try {
    const broken = await preflightOnce();
    const before = findingsOf(broken, o.rule, o.host);
    expect(before.map((f) => f.outcome), `${o.rule} should catch it`).toEqual([expect.stringMatching(/^(failure|warning)$/)]);
    const plan = broken.plans.find((p) => p.ruleId === o.rule && p.host === o.host);
    expect(plan, `${o.rule} should offer a fix`).toBeDefined();
    // Consent by id, as the wizard gives it: the fresh facts must give the very plan reviewed.
    const fixed = await preflightOnce(labRequest(), consentTo([plan!]));
    const result = fixed.fixes[0]!;
    expect(result.outcome, result.error).toBe('applied');
    expect(result.planId).toBe(plan!.id);
    expect(result.recheck).toBe('pass');
    const after = findingsOf(fixed, o.rule, o.host);
    expect(after.map((f) => f.outcome)).toEqual(['pass']);
    return { before, after, plan: plan! };
  } finally {
    await o.restore?.();
  }
}
