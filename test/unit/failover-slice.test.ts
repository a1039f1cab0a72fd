/** The dashboard's failover dialog: nothing runs until the standby's name is typed and every TSIG key's secret is given; the secrets go with that one request. */
import { describe, expect, it } from 'vitest';
import type { Backend, MethodName, RequestOf } from '../../shared/contract.ts';
import type { Plan } from '../../shared/plan.ts';
import { createAppStore } from '../../renderer/src/store/index.ts';
import { confirmed, keysOf } from '../../renderer/src/store/failover-slice.ts';
import { REQUEST_SCHEMAS } from '../../shared/schemas.ts';

const plan: Plan = { id: `sha256:${'a'.repeat(64)}`, title: 'Fail over MAIL1 → MAIL2 (J)', onFailure: 'stop', steps: [
  { kind: 'command', host: 'MAIL2', description: 'take the lease', command: 'agent lease' },
  { kind: 'dns-record', description: 'point example.test (MX) at MAIL2', server: { address: '198.18.0.20', port: 53, key: 'failguard-update', algorithm: 'hmac-sha256' }, zone: 'example.test', name: '@', type: 'MX', values: ['10 mail2.lab.test'], previous: ['10 mail1.lab.test'] },
] };

describe('the failover dialog', () => {
  it('asks for the secret of each TSIG key the plan signs with, and sends it with the apply request only', async () => {
    const calls: Array<{ method: string; request: unknown }> = [];
    const backend: Backend = {
      async call<M extends MethodName>(method: M, request: RequestOf<M>) {
        calls.push({ method, request });
        if (method === 'failover.plan') return { plan } as never;
        if (method === 'failover.apply') return { plan, results: [{ planId: plan.id, title: plan.title, outcome: 'applied', steps: [] }] } as never;
        throw new Error(method);
      },
      on: () => () => undefined,
    };
    const store = createAppStore(backend);
    store.setState({ activeJobId: '0d5e8f7a-6b4c-4d3e-9f2a-1b0c9d8e7f6a' });
    await store.getState().openFailover('failover', 'MAIL2');
    expect(keysOf(store.getState())).toEqual(['failguard-update']);
    store.getState().typeFailoverConfirmation('mail2');
    expect(confirmed(store.getState())).toBe(false);
    await store.getState().applyFailover();
    // The standby's points are asked for beside the plan (for a point in time); nothing was applied.
    expect(calls.map((c) => c.method).sort()).toEqual(['failover.plan', 'jobs.points']);
    store.getState().setDnsSecret('failguard-update', ' c2VjcmV0c2VjcmV0c2VjcmV0 ');
    expect(confirmed(store.getState())).toBe(true);
    await store.getState().applyFailover();
    const apply = calls.find((c) => c.method === 'failover.apply')!.request as RequestOf<'failover.apply'>;
    expect(apply).toMatchObject({ action: 'failover', target: 'MAIL2', consent: plan.id, dnsSecrets: { 'failguard-update': 'c2VjcmV0c2VjcmV0c2VjcmV0' } });
    expect(REQUEST_SCHEMAS['failover.apply'].safeParse(apply).success).toBe(true);
    // Closed, the dialog forgets the secret.
    store.getState().closeFailover();
    expect(store.getState().failover.dnsSecrets).toEqual({});
  });

  it('brings up a point in time when one is chosen: the plan is made again for it, and what was typed must be typed again', async () => {
    const calls: Array<{ method: string; request: unknown }> = [];
    const rows = [1, 2, 3].map((i) => ({ point: `p000000000${i}-179640000${i}000`, at: Number(`179640000${i}000`), bytes: 1000 * i, held: null }));
    const backend: Backend = {
      async call<M extends MethodName>(method: M, request: RequestOf<M>) {
        calls.push({ method, request });
        if (method === 'jobs.points') return [{ host: 'MAIL2', rows, error: null, holdsUnreadable: false, tripwire: null }] as never;
        if (method === 'failover.plan') return { plan: { ...plan, steps: plan.steps.slice(0, 1) } } as never;
        if (method === 'failover.apply') return { plan, results: [{ planId: plan.id, title: plan.title, outcome: 'applied', steps: [] }] } as never;
        throw new Error(method);
      },
      on: () => () => undefined,
    };
    const store = createAppStore(backend);
    store.setState({ activeJobId: '0d5e8f7a-6b4c-4d3e-9f2a-1b0c9d8e7f6a' });
    await store.getState().openFailover('rehearsal', 'MAIL2');
    await new Promise((r) => setTimeout(r, 0));
    expect(store.getState().failover.points).toEqual(rows);
    store.getState().typeFailoverConfirmation('MAIL2');
    await store.getState().chooseFailoverPoint(rows[0]!.point);
    expect(store.getState().failover.typed).toBe('');
    const plans = calls.filter((c) => c.method === 'failover.plan').map((c) => (c.request as RequestOf<'failover.plan'>).point ?? null);
    expect(plans).toEqual([null, rows[0]!.point]);
    store.getState().typeFailoverConfirmation('MAIL2');
    await store.getState().applyFailover();
    const apply = calls.find((c) => c.method === 'failover.apply')!.request as RequestOf<'failover.apply'>;
    expect(apply).toMatchObject({ action: 'rehearsal', point: rows[0]!.point });
    expect(REQUEST_SCHEMAS['failover.apply'].safeParse(apply).success).toBe(true);
    expect(REQUEST_SCHEMAS['failover.apply'].safeParse({ ...apply, point: "p1; reboot" }).success).toBe(false);
    // A failback takes no point: its points are not even read.
    store.getState().closeFailover();
    calls.length = 0;
    await store.getState().openFailover('failback', 'MAIL2');
    expect(calls.map((c) => c.method)).toEqual(['failover.plan']);
  });
});
