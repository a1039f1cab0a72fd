/**
 * A `secret-file` step writes only the content its plan was made with: the plan holds a keyed
 * digest of it, and a run finished later (recovered from its journal) with other secrets at hand
 * stops before it writes anything. The host is a recording stand-in: what would reach it is checked.
 */
import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { executorFor, StepFailed, type PlanContext } from '../../electron/plans/executors.ts';
import type { PlanStep } from '../../shared/plan.ts';

const KEY = Buffer.alloc(32, 7);
const digest = async (c: string) => createHmac('sha256', KEY).update(c).digest('hex');

function ctxWith(content: string) {
  const sent: Array<{ command: string; stdin?: string }> = [];
  const ctx: PlanContext = {
    host: async () => ({
      exec: async (command: string, o?: { stdin?: string }) => { sent.push({ command, ...(o?.stdin !== undefined ? { stdin: o.stdin } : {}) }); return { code: 0, stdout: '', stderr: '' }; },
      upload: async () => undefined,
    }) as never,
    directory: async () => { throw new Error('no directory'); },
    secretContent: (name) => (name === 'agent-key/MAIL2' ? content : undefined),
    secretDigest: digest,
  };
  return { ctx, sent };
}

describe('a secret-file step', () => {
  it('writes the content its plan was made with, through stdin', async () => {
    const step = { kind: 'secret-file', host: 'MAIL2', description: 'write the agent key', secret: 'agent-key/MAIL2', digest: await digest('KEY A'), remotePath: '/etc/failguard/agent.key', mode: 0o600 } as Extract<PlanStep, { kind: 'secret-file' }>;
    const { ctx, sent } = ctxWith('KEY A');
    expect(await executorFor(step).apply(step, ctx)).toBe('written');
    expect(sent.map((x) => x.stdin)).toEqual(['KEY A']);
  });

  it('refuses other content (a run recovered after the secrets changed), and nothing reaches the host', async () => {
    const step = { kind: 'secret-file', host: 'MAIL2', description: 'write the agent key', secret: 'agent-key/MAIL2', digest: await digest('KEY A'), remotePath: '/etc/failguard/agent.key', mode: 0o600 } as Extract<PlanStep, { kind: 'secret-file' }>;
    const { ctx, sent } = ctxWith('KEY B');
    await expect(executorFor(step).apply(step, ctx)).rejects.toBeInstanceOf(StepFailed);
    await expect(executorFor(step).apply(step, ctx)).rejects.toThrow(/not those this plan was made with/);
    expect(sent).toEqual([]);
  });

  it('refuses when the run cannot check the content against the plan at all', async () => {
    const step = { kind: 'secret-file', host: 'MAIL2', description: 'write the agent key', secret: 'agent-key/MAIL2', digest: await digest('KEY A'), remotePath: '/etc/failguard/agent.key', mode: 0o600 } as Extract<PlanStep, { kind: 'secret-file' }>;
    const { ctx, sent } = ctxWith('KEY A');
    delete ctx.secretDigest;
    await expect(executorFor(step).apply(step, ctx)).rejects.toBeInstanceOf(StepFailed);
    expect(sent).toEqual([]);
  });
});
