/**
 * Re-homing mailboxes: N mailboxes spread over D databases on MAIL1 moved to MAIL2's databases
 * through the real failover code path (the failover plan's re-home steps on the plan engine,
 * journal included), then undone the same way. In the same run, the directory's own ceiling:
 * the same modifies sent by plain-LDAP loops (no journal, nothing read back) over 1, 4 and 8
 * connections, each connection one modify at a time; the best of the three is the baseline.
 * The lab generates the organisation first (not timed) and puts the default back.
 * Goal: within 1.05× of the baseline (the seed took about 420 s for 14,000 users).
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lab } from './lab.ts';
import { Attribute, Change, Client, EqualityFilter } from 'ldapts';
import { discover } from '../../electron/directory/discover.ts';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { rehomeSteps } from '../../electron/failover/plan.ts';
import { sealPlan } from '../../electron/plans/plan-id.ts';
import { runPlans } from '../../electron/plans/engine.ts';
import { Journal } from '../../electron/plans/journal.ts';
import { planContext } from '../../electron/plans/context.ts';
import { SshPool } from '../../electron/hosts/ssh-pool.ts';
import type { PlanStep } from '../../shared/plan.ts';


export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { mailboxes: { type: 'string', default: '14000' }, databases: { type: 'string', default: '8' }, json: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } } });
  const mailboxes = Number(values.mailboxes);
  const databases = Number(values.databases);
  const say = (s: string) => void (values.json ? process.stderr : process.stdout).write(`${s}\n`);
  const status = JSON.parse(lab('status', '--json')) as { up: boolean; directory: { bindDn: string; passwordFile: string; caFile: string; dnsServer: string } };
  if (!status.up) throw new Error('The lab is down; bring it up with: npm run lab -- up');
  say(`generating MAIL1 and MAIL2 with ${databases} databases each and ${mailboxes} mailboxes on MAIL1 (not timed)…`);
  lab('org', '--servers', '2', '--names', 'MAIL1,MAIL2', '--databases', String(databases), '--mailboxes', String(mailboxes), '--version', '2010', '--seed', '1');
  const d = status.directory;
  const password = readFileSync(d.passwordFile, 'utf8').trim();
  const directory = { target: { kind: 'domain' as const, domain: 'lab.test', dnsServer: d.dnsServer }, credentials: { username: d.bindDn, password }, trust: { caPem: readFileSync(d.caFile, 'utf8') } };
  try {
    const topo = await discover(directory);
    const job = parseJob(JSON.stringify({ version: 1, id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', name: 'Re-home bench', source: { name: 'MAIL1', address: '198.18.0.11' }, targets: [{ name: 'MAIL2', address: '198.18.0.12' }], witness: { name: 'witness', address: '198.18.0.13' } }));
    const forward = rehomeSteps(job, topo, job.targets[0]!).filter((s) => s.kind === 'rehome' && topo.databases.find((x) => x.dn === s.fromDatabase)?.kind === 'mailbox');
    const back = forward.map((s) => (s.kind === 'rehome' ? { ...s, description: `back: ${s.description}`, fromDatabase: s.toDatabase, toDatabase: s.fromDatabase, toServer: topo.servers.find((x) => x.name === 'MAIL1')!.legacyExchangeDN! } : s));

    // The ceiling: plain loops, one modify per object, the objects of each database shared among `connections` connections.
    const ceiling = async (steps: PlanStep[], connections: number) => {
      const clients = await Promise.all(Array.from({ length: connections }, async () => {
        const c = new Client({ url: 'ldaps://198.18.0.10', tlsOptions: { ca: readFileSync(d.caFile), servername: 'dc1.lab.test' } });
        await c.bind(d.bindDn, password);
        return c;
      }));
      let n = 0;
      const started = performance.now();
      for (const s of steps) {
        if (s.kind !== 'rehome') continue;
        // The same changes as the engine's: homeMTA too where the object has one.
        const { searchEntries } = await clients[0]!.search('DC=lab,DC=test', { filter: new EqualityFilter({ attribute: 'homeMDB', value: s.fromDatabase }), attributes: ['homeMTA'], paged: { pageSize: 1000 } });
        let next = 0;
        const changes = [new Change({ operation: 'replace', modification: new Attribute({ type: 'homeMDB', values: [s.toDatabase] }) }), new Change({ operation: 'replace', modification: new Attribute({ type: 'msExchHomeServerName', values: [s.toServer] }) })];
        const mta = s.toMta ? [...changes, new Change({ operation: 'replace', modification: new Attribute({ type: 'homeMTA', values: [s.toMta] }) })] : changes;
        await Promise.all(clients.map(async (c) => {
          while (next < searchEntries.length) { const e = searchEntries[next++]!; await c.modify(e.dn, e.homeMTA ? mta : changes); n++; }
        }));
      }
      const seconds = (performance.now() - started) / 1000;
      await Promise.all(clients.map((c) => c.unbind()));
      return { n, seconds };
    };
    const engine = async (steps: PlanStep[], title: string) => {
      const plan = sealPlan({ title, onFailure: 'stop', steps });
      const pool = new SshPool({ pins: [], acceptUnknown: [] });
      const ctx = planContext({ hosts: [], pool, directory });
      const journal = Journal.create(mkdtempSync(join(tmpdir(), 'fg-rehome-journal-')), [plan], ['directory']);
      try {
        const started = performance.now();
        const [r] = await runPlans([plan], ctx, journal);
        const seconds = (performance.now() - started) / 1000;
        if (r!.outcome !== 'applied') throw new Error(`${title}: ${r!.error}`);
        return { seconds, output: r!.steps.map((x) => x.output) };
      } finally {
        await ctx.close();
        await pool.closeAll();
      }
    };
    const baselines: Record<number, number> = {};
    for (const connections of [1, 4, 8]) {
      const c = await ceiling(forward, connections);
      if (c.n !== mailboxes) throw new Error(`the plain loop moved ${c.n} mailboxes, expected ${mailboxes}`);
      baselines[connections] = c.seconds;
      say(`plain loop, ${connections} connection(s): ${c.n} modifies in ${c.seconds.toFixed(1)} s (${(c.n / c.seconds).toFixed(0)}/s)`);
      await ceiling(back, connections);
    }
    const [bestConnections, best] = Object.entries(baselines).map(([k, v]) => [Number(k), v] as const).sort((a, b) => a[1] - b[1])[0]!;
    const e1 = await engine(forward, 'Re-home MAIL1 → MAIL2 (bench)');
    say(`failover code path (plan engine, journal, ${forward.length} steps): ${e1.seconds.toFixed(1)} s (${(mailboxes / e1.seconds).toFixed(0)}/s) — ${e1.output.join('; ')}`);
    const e2 = await engine(back, 'Re-home MAIL2 → MAIL1 (bench, undo)');
    say(`undone the same way: ${e2.seconds.toFixed(1)} s; ratio to the best plain loop (${bestConnections} connections) ${(e1.seconds / best).toFixed(2)} (goal ≤ 1.05; the seed: about 420 s)`);
    process.stdout.write(`${JSON.stringify({ mailboxes, databases, seconds: Number(e1.seconds.toFixed(2)), undo_seconds: Number(e2.seconds.toFixed(2)), ceiling_seconds: Number(best.toFixed(2)), baseline_connections: bestConnections,
      baseline_seconds: Object.fromEntries(Object.entries(baselines).map(([k, v]) => [k, Number(v.toFixed(2))])), ratio: Number((e1.seconds / best).toFixed(3)) })}\n`);
  } finally {
    if (!values.keep) lab('org', '--default');
  }
}
