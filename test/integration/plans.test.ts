/** The plan engine on the lab: undo on failure, exact DNS restore, resume after a kill, consent by id. */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Attribute, Change } from 'ldapts';
import type { PlanStep } from '../../shared/plan.ts';
import { SshPool } from '../../electron/hosts/ssh-pool.ts';
import { planContext } from '../../electron/plans/context.ts';
import { sealPlan } from '../../electron/plans/plan-id.ts';
import { Journal, findInterrupted, readJournal } from '../../electron/plans/journal.ts';
import { runPlans } from '../../electron/plans/engine.ts';
import { recoverInterrupted } from '../../electron/plans/recover.ts';
import { encodeDnsRecord, nodeDn, readDnsNode } from '../../electron/directory/dns-write.ts';
import { resolve4 } from '../../electron/directory/dns-client.ts';
import { runPreflightService } from '../../electron/preflight/service.ts';
import { OfferedPlans } from '../../electron/plans/offered.ts';
import { labHost, labRequest, pins, s, sh, testJournalDir } from './preflight-helpers.ts';

const req = labRequest();
const pool = new SshPool({ pins });
const ctx = planContext({ hosts: [labHost('mail1'), labHost('mail2')], pool, directory: req.directory! });
afterAll(async () => { await ctx.close(); await pool.closeAll(); });
const BASE = 'DC=lab,DC=test';
const fixPlan = (title: string, steps: PlanStep[]) => sealPlan({ title, onFailure: 'undo' as const, steps });
const failing: PlanStep = { kind: 'command', host: 'MAIL2', description: 'a step that cannot work', command: 'ip link set dev nosuchif mtu 1500' };

/** A two-step plan on MAIL2 run by a child process that SIGKILLs itself once the first step is journaled done. */
function killedAfterFirstStep(title: string) {
  sh('mail2', 'rm -f /root/fg-step1 /root/fg-step2');
  const plan = fixPlan(title, [
    { kind: 'command', host: 'MAIL2', description: 'first marker', command: 'echo one > /root/fg-step1', verify: 'test -s /root/fg-step1', undo: 'rm -f /root/fg-step1' },
    { kind: 'command', host: 'MAIL2', description: 'second marker', command: 'test -s /root/fg-step1 && echo two > /root/fg-step2', verify: 'test -s /root/fg-step2', undo: 'rm -f /root/fg-step2' },
  ]);
  const dir = testJournalDir();
  const child = spawnSync(process.execPath, ['test/integration/kill-after-first-step.ts'], { input: JSON.stringify({ journalDir: dir, plan, host: labHost('mail2'), pins }), encoding: 'utf8' });
  expect(child.signal).toBe('SIGKILL');
  expect(child.stdout).not.toContain('not killed');
  return { plan, dir };
}

describe('the plan engine on the lab', () => {
  it('a failed step undoes the steps before it, newest first, and says why', async () => {
    const before = sh('mail2', 'sysctl -n net.ipv4.tcp_keepalive_time').trim();
    const plan = fixPlan('two steps, the second fails', [
      { kind: 'command', host: 'MAIL2', description: 'change the keepalive', command: 'sysctl -qw net.ipv4.tcp_keepalive_time=601', verify: 'test "$(sysctl -n net.ipv4.tcp_keepalive_time)" = 601', undo: `sysctl -qw net.ipv4.tcp_keepalive_time=${before}` },
      failing,
    ]);
    const dir = testJournalDir();
    const journal = Journal.create(dir, [plan], ['MAIL2']);
    const [r] = await runPlans([plan], ctx, journal);
    expect(r!.outcome).toBe('undone');
    expect(r!.error).toMatch(/^"ip link set dev nosuchif mtu 1500" failed on MAIL2 \(exit \d+: .+\); the steps before it were undone\.$/);
    expect(r!.steps.map((x) => [x.index, x.status])).toEqual([[0, 'applied'], [1, 'failed'], [0, 'undone']]);
    expect(sh('mail2', 'sysctl -n net.ipv4.tcp_keepalive_time').trim()).toBe(before);
    expect(readJournal(journal.file).map((x) => x.t)).toEqual(['run', 'step-start', 'step-done', 'step-start', 'step-failed', 'undo-start', 'undo-done', 'plan-end', 'end']);
    expect(findInterrupted(dir)).toEqual([]);
  });

  it('undo restores a multi-valued DNS record exactly, byte for byte and in order', async () => {
    const { client, baseDn } = await ctx.directory();
    const dn = nodeDn('lab.test', 'fgmulti', BASE);
    await client.del(dn).catch(() => undefined);
    const original = [encodeDnsRecord('A', '198.18.0.41', 600, 7), encodeDnsRecord('A', '198.18.0.42', 300, 9), encodeDnsRecord('A', '198.18.0.43', 900, 11)];
    await client.add(dn, [new Attribute({ type: 'objectClass', values: ['top', 'dnsNode'] }), new Attribute({ type: 'dnsRecord', values: original })]);
    try {
      const before = await readDnsNode(client, baseDn, 'lab.test', 'fgmulti');
      expect(before.records).toHaveLength(3);
      const plan = fixPlan('repoint a name with three addresses, then fail', [
        { kind: 'dns-record', description: 'point fgmulti at one address', zone: 'lab.test', name: 'fgmulti', type: 'A', values: ['198.18.0.77'], previous: ['198.18.0.41', '198.18.0.42', '198.18.0.43'] },
        failing,
      ]);
      const [r] = await runPlans([plan], ctx, Journal.create(testJournalDir(), [plan], ['directory', 'MAIL2']));
      expect(r!.steps.map((x) => x.status)).toEqual(['applied', 'failed', 'undone']);
      const after = await readDnsNode(client, baseDn, 'lab.test', 'fgmulti');
      expect(after).toEqual(before);
      expect((await resolve4('fgmulti.lab.test', s.directory.dnsServer)).sort()).toEqual(['198.18.0.41', '198.18.0.42', '198.18.0.43']);
    } finally {
      await client.del(dn).catch(() => undefined);
    }
  });

  it('undo of a directory modify puts back the previous values exactly (several, and none)', async () => {
    const { client } = await ctx.directory();
    const dn = `CN=fg-reader,CN=Users,${BASE}`;
    await client.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'otherTelephone', values: ['+1 555 0101', '+1 555 0102'] }) })]);
    try {
      const plan = fixPlan('change a user, then fail', [{ kind: 'directory-modify', description: 'set a description and phones', dn, changes: [
        { operation: 'replace', attribute: 'description', values: ['failguard test'] },
        { operation: 'replace', attribute: 'otherTelephone', values: ['+1 555 0199'] },
      ] }, failing]);
      const [r] = await runPlans([plan], ctx, Journal.create(testJournalDir(), [plan], ['directory', 'MAIL2']));
      expect(r!.steps.map((x) => x.status), JSON.stringify(r)).toEqual(['applied', 'failed', 'undone']);
      const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['description', 'otherTelephone'] });
      expect([searchEntries[0]!.description ?? []].flat()).toEqual([]);
      expect([...(searchEntries[0]!.otherTelephone as string[])].sort()).toEqual(['+1 555 0101', '+1 555 0102']);
    } finally {
      await client.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'otherTelephone', values: [] }) })]);
    }
  });

  it('a run killed between two steps is resumed by the next run from its journal', async () => {
    const { plan, dir } = killedAfterFirstStep('two marker files');
    expect(sh('mail2', 'ls /root | grep fg-step || true').trim().split('\n')).toEqual(['fg-step1']);
    const [open] = findInterrupted(dir);
    expect(open!.summary.plans).toEqual([{ planId: plan.id, title: 'two marker files', stepsDone: 1, steps: 2 }]);
    // A run on other servers only reports it; one that can reach MAIL2 resumes it.
    const elsewhere = planContext({ hosts: [labHost('mail1')], pool });
    expect((await recoverInterrupted(dir, elsewhere))[0]!.waiting).toMatch(/with MAIL2\.$/);
    const [rec] = await recoverInterrupted(dir, ctx);
    expect(rec!.results!.map((x) => x.outcome)).toEqual(['applied']);
    expect(rec!.results![0]!.steps.map((x) => [x.index, x.status])).toEqual([[1, 'applied']]);
    expect(sh('mail2', 'cat /root/fg-step1 /root/fg-step2').trim().split('\n')).toEqual(['one', 'two']);
    expect(findInterrupted(dir)).toEqual([]);
    expect(readJournal(open!.journal.file).slice(-3).map((x) => x.t)).toEqual(['step-done', 'plan-end', 'end']);
    sh('mail2', 'rm -f /root/fg-step1 /root/fg-step2');
  });
});

describe('a run cut short can be rolled back instead', () => {
  it('undoes what the killed run did, newest first, and ends its journal', async () => {
    const { dir } = killedAfterFirstStep('two marker files, rolled back');
    const [rec] = await recoverInterrupted(dir, ctx, { mode: 'rollback' });
    expect(rec!.results!.map((x) => [x.outcome, x.steps.map((st) => [st.index, st.status])])).toEqual([['undone', [[0, 'undone']]]]);
    expect(sh('mail2', 'ls /root | grep fg-step || true').trim()).toBe('');
    expect(findInterrupted(dir)).toEqual([]);
  });
});

describe('consent names plan ids', () => {
  it('a fix whose facts changed between review and apply is refused, and nothing changes', async () => {
    const offered = new OfferedPlans<import('../../shared/plan.ts').FixPlan>();
    const journalDir = testJournalDir();
    sh('mail2', 'sysctl -qw net.ipv4.tcp_keepalive_time=7200');
    try {
      const first = await runPreflightService(labRequest(), { offered, journalDir });
      const plan = first.plans.find((p) => p.ruleId === 'tcp-keepalive' && p.host === 'MAIL2')!;
      expect(plan.id).toMatch(/^sha256:[0-9a-f]{64}$/);
      sh('mail2', 'sysctl -qw net.ipv4.tcp_keepalive_time=7300');
      const second = await runPreflightService(labRequest({ consent: [plan.id] } as never), { offered, journalDir });
      expect(second.report.fixes.map((f) => [f.planId, f.outcome, f.error])).toEqual([[plan.id, 'refused', 'MAIL2 changed since you reviewed this fix; review it again.']]);
      expect(sh('mail2', 'sysctl -n net.ipv4.tcp_keepalive_time').trim()).toBe('7300');
      // The fresh plan is offered for review again, with another id.
      const fresh = second.plans.find((p) => p.ruleId === 'tcp-keepalive' && p.host === 'MAIL2')!;
      expect(fresh.id).not.toBe(plan.id);
      const third = await runPreflightService(labRequest({ consent: [fresh.id] } as never), { offered, journalDir });
      expect(third.report.fixes.map((f) => [f.outcome, f.recheck])).toEqual([['applied', 'pass']]);
      await expect(runPreflightService(labRequest({ consent: [`sha256:${'0'.repeat(64)}`] } as never), { offered, journalDir })).rejects.toMatchObject({ code: 'bad-request', field: 'consent' });
    } finally {
      sh('mail2', 'sysctl -qw net.ipv4.tcp_keepalive_time=7200');
    }
  });
});
