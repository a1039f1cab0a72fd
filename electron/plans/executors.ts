/**
 * One executor per step kind: what it reads before (the snapshot, journaled so undo can
 * put back exactly that), how it applies, how it verifies, how it undoes. Adding a kind
 * to `PlanStep` fails to compile until it has an executor here.
 */
import { Attribute, Change, type Client } from 'ldapts';
import type { PlanStep } from '../../shared/plan.ts';
import { StepFailed, type Executor, type PlanContext } from './step-kit.ts';
import { sha256File } from '../hosts/file-hash.ts';
import { shq } from '../hosts/shell.ts';
import { rehome } from './rehome.ts';
import { dnsRecord } from './dns-step.ts';

export type { Executor, PlanContext } from './step-kit.ts';
export { StepFailed } from './step-kit.ts';

const tail = (s: string) => s.trim().slice(-2000);

/** A command's limit: two minutes, or (a wait bounded by its own progress) a day, which only a cancel cuts short. */
const limitMs = (step: { waits?: 'progress' }) => (step.waits === 'progress' ? 86_400_000 : 120_000);

async function sh(ctx: PlanContext, host: string, command: string, signal?: AbortSignal, timeoutMs = 120_000): Promise<{ code: number; output: string }> {
  const r = await (await ctx.host(host)).exec(command, { timeoutMs, ...(signal ? { signal } : {}) });
  return { code: r.code, output: tail(`${r.stdout}${r.stderr}`) };
}

const command: Executor<Extract<PlanStep, { kind: 'command' }>> = {
  snapshot: async () => null,
  async apply(step, ctx) {
    const r = await sh(ctx, step.host, step.command, ctx.signal, limitMs(step));
    if (r.code !== 0) throw new StepFailed(`exit ${r.code}: ${r.output.split('\n').at(-1) || 'no output'}`);
    return r.output;
  },
  async verify(step, ctx) {
    if (!step.verify) return null;
    return (await sh(ctx, step.host, step.verify)).code === 0;
  },
  canUndo: (step) => !!step.undo,
  async undo(step, ctx) {
    if (!step.undo) throw new StepFailed('this step cannot be undone automatically');
    // Undo runs even after a cancel: leaving a half-applied plan would be worse.
    const r = await sh(ctx, step.host, step.undo);
    if (r.code !== 0) throw new StepFailed(`exit ${r.code}: ${r.output.split('\n').at(-1) || 'no output'}`);
    return r.output;
  },
};

type Values = Record<string, string[]>;

async function readAttributes(client: Client, dn: string, attributes: string[]): Promise<Values> {
  const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes });
  const e = searchEntries[0] ?? {};
  const lower = Object.fromEntries(Object.entries(e).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.fromEntries(attributes.map((a) => {
    const v = lower[a.toLowerCase()];
    return [a, v === undefined ? [] : ([] as unknown[]).concat(v).map(String)];
  }));
}

const same = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

const directoryModify: Executor<Extract<PlanStep, { kind: 'directory-modify' }>> = {
  async snapshot(step, ctx) {
    const { client } = await ctx.directory();
    return readAttributes(client, step.dn, step.changes.map((c) => c.attribute));
  },
  async apply(step, ctx) {
    const { client } = await ctx.directory();
    await client.modify(step.dn, step.changes.map((c) => new Change({ operation: c.operation, modification: new Attribute({ type: c.attribute, values: c.values }) })));
    return 'modified';
  },
  async verify(step, ctx) {
    const { client } = await ctx.directory();
    const now = await readAttributes(client, step.dn, step.changes.map((c) => c.attribute));
    return step.changes.every((c) => {
      const v = now[c.attribute] ?? [];
      if (c.operation === 'replace') return same(v, c.values);
      if (c.operation === 'add') return c.values.every((x) => v.includes(x));
      return c.values.length ? c.values.every((x) => !v.includes(x)) : v.length === 0;
    });
  },
  canUndo: () => true,
  async undo(step, ctx, snapshot) {
    const { client } = await ctx.directory();
    const before = snapshot as Values;
    const attrs = [...new Set(step.changes.map((c) => c.attribute))];
    await client.modify(step.dn, attrs.map((a) => new Change({ operation: 'replace', modification: new Attribute({ type: a, values: before[a] ?? [] }) })));
    return 'the previous values are back';
  },
};

type Upload = Extract<PlanStep, { kind: 'upload' }>;
const prevOf = (s: Upload) => `${s.remotePath}.failguard-prev`;
const remoteHash = async (ctx: PlanContext, s: Upload): Promise<string | null> => {
  const r = await sh(ctx, s.host, `sha256sum ${shq(s.remotePath)} 2>/dev/null`);
  return r.code === 0 ? r.output.split(/\s+/)[0]! : null;
};

type SecretFile = Extract<PlanStep, { kind: 'secret-file' }>;
const prevOfSecret = (s: SecretFile) => `${s.remotePath}.failguard-prev`;
const contentOf = (step: SecretFile, ctx: PlanContext): string => {
  const c = ctx.secretContent?.(step.secret);
  if (c === undefined) throw new StepFailed(`the ${step.secret} secrets are not at hand in this run (they are never kept in a plan); run protect again with them`);
  return c;
};

/** Writes a file of secrets through SSH's standard input (never a local file), kept aside first for undo; checked by reading it back. */
const secretFile: Executor<SecretFile> = {
  async snapshot(step, ctx) {
    const r = await sh(ctx, step.host, `test -f ${shq(step.remotePath)} && cp -p ${shq(step.remotePath)} ${shq(prevOfSecret(step))} && echo kept || echo none`);
    if (r.code !== 0) throw new StepFailed(`the current ${step.remotePath} could not be kept for undo: ${r.output}`);
    return { existed: r.output.trim().endsWith('kept') };
  },
  async apply(step, ctx) {
    // A run finished later (recovered) writes only what the plan was reviewed with, never other secrets of now.
    if (!ctx.secretDigest) throw new StepFailed(`the ${step.secret} secrets cannot be checked against this plan in this run; run protect again`);
    if (await ctx.secretDigest(contentOf(step, ctx)) !== step.digest) {
      throw new StepFailed(`the ${step.secret} secrets are not those this plan was made with (they changed since); run protect again to see the plan of now`);
    }
    const tmp = `${step.remotePath}.failguard-new`;
    const dir = step.remotePath.replace(/\/[^/]*$/, '') || '/';
    const r = await (await ctx.host(step.host)).exec(`umask 077 && mkdir -p ${shq(dir)} && cat > ${shq(tmp)} && chmod ${shq(step.mode.toString(8))} ${shq(tmp)} && mv -f ${shq(tmp)} ${shq(step.remotePath)}`, { timeoutMs: 60_000, stdin: contentOf(step, ctx) });
    if (r.code !== 0) throw new StepFailed(`the file could not be written: ${tail(r.stderr)}`);
    return 'written';
  },
  async verify(step, ctx) {
    const r = await (await ctx.host(step.host)).exec(`cat ${shq(step.remotePath)}`, { timeoutMs: 60_000 });
    return r.code === 0 && r.stdout === contentOf(step, ctx);
  },
  canUndo: () => true,
  async undo(step, ctx, snapshot) {
    const existed = (snapshot as { existed: boolean } | null)?.existed ?? false;
    const r = await sh(ctx, step.host, existed ? `mv -f ${shq(prevOfSecret(step))} ${shq(step.remotePath)}` : `rm -f ${shq(step.remotePath)}`);
    if (r.code !== 0) throw new StepFailed(`exit ${r.code}: ${r.output}`);
    return existed ? 'the previous file is back' : 'removed';
  },
};

const upload: Executor<Upload> = {
  async snapshot(step, ctx) {
    // The file it replaces is kept beside it until the run ends, so undo can put it back exactly.
    const before = await remoteHash(ctx, step);
    if (before && before !== step.sha256) {
      const r = await sh(ctx, step.host, `cp -p ${shq(step.remotePath)} ${shq(prevOf(step))}`);
      if (r.code !== 0) throw new StepFailed(`the current ${step.remotePath} could not be kept for undo: ${r.output}`);
    }
    return { before };
  },
  async apply(step, ctx) {
    const local = await sha256File(step.localFile).catch(() => null);
    if (local?.sha256 !== step.sha256) throw new StepFailed(`${step.localFile} changed since the plan was made; review the plan again`);
    const tmp = `${step.remotePath}.failguard-new`;
    const dir = step.remotePath.replace(/\/[^/]*$/, '') || '/';
    const mk = await sh(ctx, step.host, `mkdir -p ${shq(dir)}`);
    if (mk.code !== 0) throw new StepFailed(`the folder ${dir} could not be made: ${mk.output}`);
    await (await ctx.host(step.host)).upload(step.localFile, tmp, step.mode);
    const mv = await sh(ctx, step.host, `chmod ${step.mode.toString(8)} ${shq(tmp)} && mv -f ${shq(tmp)} ${shq(step.remotePath)}`);
    if (mv.code !== 0) throw new StepFailed(`the copy could not be put in place: ${mv.output}`);
    return `${step.size} bytes`;
  },
  async verify(step, ctx) {
    return (await remoteHash(ctx, step)) === step.sha256;
  },
  canUndo: () => true,
  async undo(step, ctx, snapshot) {
    const before = (snapshot as { before: string | null } | null)?.before ?? null;
    const cmd = before === step.sha256 ? 'true' : before ? `mv -f ${shq(prevOf(step))} ${shq(step.remotePath)}` : `rm -f ${shq(step.remotePath)}`;
    const r = await sh(ctx, step.host, cmd);
    if (r.code !== 0) throw new StepFailed(`exit ${r.code}: ${r.output}`);
    return before ? 'the previous file is back' : 'removed';
  },
};

const EXECUTORS: { [K in PlanStep['kind']]: Executor<Extract<PlanStep, { kind: K }>> } = {
  'command': command,
  'dns-record': dnsRecord,
  'directory-modify': directoryModify,
  'rehome': rehome,
  'upload': upload,
  'secret-file': secretFile,
};

export function executorFor<S extends PlanStep>(step: S): Executor<S> {
  return EXECUTORS[step.kind] as unknown as Executor<S>;
}
