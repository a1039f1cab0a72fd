/**
 * Re-homing mailboxes when the directory does not cooperate, on the lab's Samba: a mailbox
 * object the account may not write (a deny entry in its security descriptor) stops the step
 * with one sentence naming it, the others stay moved, and once the right is back the next run
 * moves only what is left; mailboxes deleted while the step runs are skipped, never a failure.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Attribute, Change, EqualityFilter } from 'ldapts';
import { SshPool } from '../../electron/hosts/ssh-pool.ts';
import { planContext } from '../../electron/plans/context.ts';
import { sealPlan } from '../../electron/plans/plan-id.ts';
import { Journal } from '../../electron/plans/journal.ts';
import { runPlans } from '../../electron/plans/engine.ts';
import type { Plan, PlanStep } from '../../shared/plan.ts';
import { labRequest, pins, s, testJournalDir } from './preflight-helpers.ts';
import { homedOn, mailboxDbsOf, withDirectory } from './failover-helpers.ts';

const password = readFileSync(s.directory.passwordFile, 'utf8').trim();
const [from, to] = [mailboxDbsOf(s, 'MAIL1')[0]!, mailboxDbsOf(s, 'MAIL2')[0]!];
const pool = new SshPool({ pins });
const ctx = planContext({ hosts: [], pool, directory: labRequest().directory! });
const legacy = (server: string) => withDirectory(s, async (c) => (await c.search('CN=Configuration,DC=lab,DC=test', { filter: `(&(objectClass=msExchExchangeServer)(cn=${server}))`, attributes: ['legacyExchangeDN'] })).searchEntries[0]!.legacyExchangeDN as string);
const rehomePlan = async (a: typeof from, b: typeof from, server: string): Promise<Plan> => sealPlan({ title: `re-home ${a.name} → ${b.name}`, onFailure: 'stop', steps: [
  { kind: 'rehome', description: `re-home the mailboxes of ${a.name} to ${b.name}`, fromDatabase: a.dn, toDatabase: b.dn, toServer: await legacy(server), toMta: null } satisfies PlanStep,
] });
const run = async (plan: Plan) => (await runPlans([plan], ctx, Journal.create(testJournalDir(), [plan], ['directory'])))[0]!;
const firstOn = (db: string) => withDirectory(s, async (c) => (await c.search('DC=lab,DC=test', { filter: new EqualityFilter({ attribute: 'homeMDB', value: db }), attributes: ['1.1'], sizeLimit: 1 }).catch((e: { searchEntries?: Array<{ dn: string }> }) => ({ searchEntries: e.searchEntries ?? [] }))).searchEntries[0]!.dn);
const sd = (dn: string) => withDirectory(s, async (c) => (await c.search(dn, { scope: 'base', attributes: ['nTSecurityDescriptor'], explicitBufferAttributes: ['nTSecurityDescriptor'] })).searchEntries[0]!.nTSecurityDescriptor as Buffer);
const setSd = (dn: string, value: Buffer) => withDirectory(s, (c) => c.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'nTSecurityDescriptor', values: [value] }) })]));

afterAll(async () => {
  // Everything back on MAIL1's database, as the lab had it.
  if ((await homedOn(s, to.dn)) > 0) await run(await rehomePlan(to, from, 'MAIL1'));
  await ctx.close();
  await pool.closeAll();
});

describe('re-homing against a directory that does not cooperate', () => {
  it('a mailbox the account may not write stops the step in one sentence; with the right back, the next run moves only what is left', async () => {
    const locked = await firstOn(from.dn);
    const before = await sd(locked);
    execFileSync('samba-tool', ['dsacl', 'set', `--objectdn=${locked}`, '--sddl=(D;;WP;;;WD)', '--action=allow', '-H', `ldap://${s.directory.address}`, `-UAdministrator%${password}`], { stdio: 'ignore' });
    try {
      const first = await run(await rehomePlan(from, to, 'MAIL2'));
      expect(first.outcome).toBe('stopped');
      expect(first.error).toContain(`the directory account may not change ${locked} (insufficient access rights`);
      expect(await homedOn(s, from.dn)).toBeGreaterThanOrEqual(1);
    } finally {
      await setSd(locked, before);
    }
    const second = await run(await rehomePlan(from, to, 'MAIL2'));
    expect(second.outcome, second.error).toBe('applied');
    expect(await homedOn(s, from.dn)).toBe(0);
    expect(await homedOn(s, to.dn)).toBe(from.mailboxes);
  });

  it('mailboxes deleted while the step runs are skipped, and every other one arrives', async () => {
    const legacyTo = await legacy('MAIL2');
    const temp = Array.from({ length: 3 }, (_, i) => `CN=zz-rehome-temp${i},OU=Mailboxes,DC=lab,DC=test`);
    await withDirectory(s, async (c) => {
      for (const dn of temp) {
        await c.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: dn.slice(3, dn.indexOf(',')), homeMDB: to.dn, msExchHomeServerName: legacyTo });
      }
    });
    const plan = await rehomePlan(to, from, 'MAIL1');
    // Deleted after the step has listed what to move and before its first change: every
    // modify waits for the deletion, so the race is the one the step must survive, every run.
    let deleted: Promise<void> | null = null;
    const deleteTemps = () => (deleted ??= withDirectory(s, async (c) => { for (const dn of temp) await c.del(dn); }));
    const racing = { ...ctx, async directoryClients(n: number) {
      const clients = await ctx.directoryClients!(n);
      return clients.map((c) => Object.assign(Object.create(c) as typeof c, { modify: async (...a: Parameters<typeof c.modify>) => { await deleteTemps(); return c.modify(...a); } }));
    } };
    const r = (await runPlans([plan], racing, Journal.create(testJournalDir(), [plan], ['directory'])))[0]!;
    expect(deleted).not.toBeNull();
    expect(r.outcome, r.error).toBe('applied');
    expect(r.steps.find((x) => x.status === 'applied')!.output).toMatch(/^\d+ mailboxes moved; 3 deleted meanwhile were skipped/);
    expect(await homedOn(s, to.dn)).toBe(0);
    expect(await homedOn(s, from.dn)).toBe(from.mailboxes);
  });
});
