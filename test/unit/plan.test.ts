import { describe, expect, it } from 'vitest';
import { canonicalJson, planId, planIntact, sealPlan } from '../../electron/plans/plan-id.ts';
import { describeStep, type PlanStep } from '../../shared/plan.ts';
import { foldOutcomes, OUTCOME_EXIT } from '../../shared/preflight.ts';

const step: PlanStep = { kind: 'command', host: 'MAIL2', description: 'set keepalive', command: 'sysctl -w net.ipv4.tcp_keepalive_time=600', undo: 'sysctl -w net.ipv4.tcp_keepalive_time=7200' };
const plan = () => sealPlan({ title: 'Probe idle connections', onFailure: 'undo' as const, steps: [step] });

describe('a plan id is the hash of its whole content', () => {
  it('is the same for the same content, whatever the key order', () => {
    expect(plan().id).toBe(plan().id);
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe(canonicalJson({ a: [2, { c: 4, d: 3 }], b: 1 }));
    expect(plan().id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    ['the command', { steps: [{ ...step, command: 'sysctl -w net.ipv4.tcp_keepalive_time=601' }] }],
    ['the undo', { steps: [{ ...step, undo: 'true' }] }],
    ['the host', { steps: [{ ...step, host: 'MAIL3' }] }],
    ['the title', { title: 'Something else' }],
    ['the failure policy', { onFailure: 'stop' }],
  ])('changes when %s changes', (_what, change) => {
    const p = plan();
    const edited = { ...p, ...change } as typeof p;
    expect(planId(edited)).not.toBe(p.id);
    expect(planIntact(edited)).toBe(false);
    expect(planIntact(p)).toBe(true);
  });
});

describe('what the review shows comes from the step itself', () => {
  it('shows a command exactly, where it runs and how it is undone', () => {
    expect(describeStep(step)).toEqual({ where: 'MAIL2', action: 'sysctl -w net.ipv4.tcp_keepalive_time=600', undo: 'sysctl -w net.ipv4.tcp_keepalive_time=7200' });
    expect(describeStep({ ...step, undo: undefined }).undo).toBe('cannot be undone automatically');
  });

  it('shows a DNS change with the values it replaces, and no command that never runs', () => {
    const v = describeStep({ kind: 'dns-record', description: 'x', zone: 'lab.test', name: 'mail2', type: 'A', values: ['198.18.0.12'], previous: ['198.18.0.99', '198.18.0.98'] });
    expect(v.where).toMatch(/^directory/);
    expect(v.action).toBe('replace the A records of mail2.lab.test (198.18.0.99, 198.18.0.98) with A 198.18.0.12, TTL 900 s');
    expect(v.undo).toContain('198.18.0.99, 198.18.0.98');
    expect(JSON.stringify(v)).not.toContain('samba-tool');
  });

  it('shows each change of a directory modify', () => {
    expect(describeStep({ kind: 'directory-modify', description: 'x', dn: 'CN=u,DC=lab,DC=test', changes: [{ operation: 'replace', attribute: 'homeMDB', values: ['CN=DB2'] }, { operation: 'delete', attribute: 'x', values: [] }] }).action)
      .toBe('modify CN=u,DC=lab,DC=test: replace homeMDB = CN=DB2; delete x');
  });
});

describe('one fold of outcomes', () => {
  const f = (...o: Array<'pass' | 'warning' | 'failure' | 'error' | 'not-applicable'>) => o.map((outcome) => ({ outcome }));
  it.each([
    [f(), 'not-applicable', 0],
    [f('pass', 'not-applicable'), 'pass', 0],
    [f('pass', 'warning'), 'warning', 1],
    [f('warning', 'error'), 'error', 3],
    [f('error', 'failure', 'warning'), 'failure', 2],
  ] as const)('%j → %s, exit %i', (findings, worst, code) => {
    const r = foldOutcomes(findings);
    expect(r.worst).toBe(worst);
    expect(r.exitCode).toBe(code);
    expect(OUTCOME_EXIT[r.worst]).toBe(code);
    expect(Object.values(r.counts).reduce((a, b) => a + b, 0)).toBe(findings.length);
  });
});
