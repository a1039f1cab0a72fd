/**
 * The re-home executor: every mailbox homed on one database moved to its counterpart, exactly
 * one modify per object, over several directory connections at once. Samba's write path is
 * serialised, so the figure is won by giving it the least work: the objects are found with one
 * search, and nothing is read back in the critical path (verify is one search for what is left).
 * The old values of every object are the step's snapshot, journaled before the first modify,
 * so the step resumes (it only touches what is still on the old database) or is undone whole.
 */
import { Attribute, Change, EqualityFilter, type Client } from 'ldapts';
import type { PlanStep } from '../../shared/plan.ts';
import { StepFailed, type Executor, type PlanContext } from './step-kit.ts';

type Rehome = Extract<PlanStep, { kind: 'rehome' }>;
interface Home { dn: string; homeMDB: string; server: string | null; mta: string | null }

const ATTRS = ['homeMDB', 'msExchHomeServerName', 'homeMTA'];
/** Connections used at once: enough to keep the DC's one writer busy while replies travel. */
export const REHOME_CONNECTIONS = 4;
/** Modifies in flight on each connection (pipelined: the next is sent before the last one's answer arrives). */
export const REHOME_PIPELINE = 2;

const one = (v: unknown): string | null => (v === undefined ? null : String(([] as unknown[]).concat(v)[0] ?? '') || null);

async function homedOn(client: Client, baseDn: string, db: string, attributes: string[]): Promise<Home[]> {
  const { searchEntries } = await client.search(baseDn, { scope: 'sub', filter: new EqualityFilter({ attribute: 'homeMDB', value: db }), attributes, paged: { pageSize: 1000 } });
  return searchEntries.map((e) => ({ dn: e.dn, homeMDB: one(e.homeMDB) ?? db, server: one(e.msExchHomeServerName), mta: one(e.homeMTA) }));
}

/**
 * Runs `fn` on every item with REHOME_PIPELINE workers per connection. The first
 * failure stops every worker before the next item, and is thrown once all have stopped, so
 * nothing is still being changed when the step reports where it stopped.
 */
async function fanOut<T>(clients: Client[], items: T[], fn: (c: Client, item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const workers = clients.flatMap((c) => Array.from({ length: REHOME_PIPELINE }, () => c));
  await Promise.all(workers.map(async (c) => {
    while (failure === null && next < items.length) {
      try {
        await fn(c, items[next++]!);
      } catch (e) {
        failure ??= e;
      }
    }
  }));
  if (failure !== null) throw failure;
}

/** One modify; an object deleted meanwhile is skipped, a busy one tried again a few times. */
async function modify(c: Client, dn: string, changes: Change[], gone: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await c.modify(dn, changes);
      return;
    } catch (e) {
      const code = (e as { code?: number }).code;
      if (code === 32) { gone.push(dn); return; }
      if ((code === 51 || code === 52) && attempt < 5) { await new Promise((r) => setTimeout(r, 200 * attempt)); continue; }
      if (code === 50) throw new StepFailed(`the directory account may not change ${dn} (insufficient access rights: a deny entry in its security, or a protected account); give the account the right, then run again — the mailboxes already moved stay moved`);
      throw new StepFailed(`${dn} could not be changed: ${(e as Error).message}`);
    }
  }
}

const replace = (type: string, v: string | null) => new Change({ operation: 'replace', modification: new Attribute({ type, values: v === null ? [] : [v] }) });

export const rehome: Executor<Rehome> = {
  async snapshot(step, ctx) {
    const { client, baseDn } = await ctx.directory();
    return { homes: await homedOn(client, baseDn, step.fromDatabase, ATTRS) };
  },
  async apply(step, ctx, before) {
    // The snapshot just taken is what is on the old database; after an interruption only what is still there (the rest moved).
    const taken = before?.fresh ? (before.snapshot as { homes?: Home[] } | null)?.homes : undefined;
    const left = taken ?? await (async () => { const { client, baseDn } = await ctx.directory(); return homedOn(client, baseDn, step.fromDatabase, ['homeMTA']); })();
    const clients = await directoryClients(ctx);
    const gone: string[] = [];
    await fanOut(clients, left, (c, h) => modify(c, h.dn, [replace('homeMDB', step.toDatabase), replace('msExchHomeServerName', step.toServer), ...(h.mta && step.toMta ? [replace('homeMTA', step.toMta)] : [])], gone));
    return `${left.length - gone.length} mailboxes moved${gone.length ? `; ${gone.length} deleted meanwhile were skipped (${gone.slice(0, 3).join('; ')})` : ''}`;
  },
  async verify(step, ctx) {
    const { client, baseDn } = await ctx.directory();
    const { searchEntries } = await client.search(baseDn, { scope: 'sub', filter: new EqualityFilter({ attribute: 'homeMDB', value: step.fromDatabase }), attributes: ['1.1'], sizeLimit: 1 }).catch((e: { code?: number }) => {
      if (e.code === 4) return { searchEntries: [{}] };
      throw e;
    });
    return searchEntries.length === 0;
  },
  canUndo: () => true,
  async undo(step, ctx, snapshot) {
    const homes = (snapshot as { homes: Home[] } | null)?.homes ?? [];
    // Only those this step moved and nobody has moved since: one search for what is on the new database now.
    const { client, baseDn } = await ctx.directory();
    const there = new Set((await homedOn(client, baseDn, step.toDatabase, ['1.1'])).map((h) => h.dn.toLowerCase()));
    const back = homes.filter((h) => there.has(h.dn.toLowerCase()));
    const clients = await directoryClients(ctx);
    const gone: string[] = [];
    // Every mailbox is tried, a failure or not: an undo that stopped at the first would leave the rest on the new database.
    const failed: string[] = [];
    await fanOut(clients, back, async (c, h) => {
      await modify(c, h.dn, [replace('homeMDB', h.homeMDB), replace('msExchHomeServerName', h.server), ...(h.mta ? [replace('homeMTA', h.mta)] : [])], gone).catch((e: unknown) => { failed.push((e as Error).message); });
    });
    const moved = homes.length - back.length;
    const others = moved ? `; ${moved} moved elsewhere since were left where they are` : '';
    if (failed.length) throw new StepFailed(`${back.length - gone.length - failed.length} mailboxes are back on ${step.fromDatabase}, ${failed.length} could not be put back (${failed.slice(0, 2).join('; ')})${others}`);
    return `${back.length - gone.length} mailboxes are back on ${step.fromDatabase}${others}`;
  },
};

async function directoryClients(ctx: PlanContext): Promise<Client[]> {
  return ctx.directoryClients ? ctx.directoryClients(REHOME_CONNECTIONS) : [(await ctx.directory()).client];
}
