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
    expect(calls.map((c) => c.method)).toEqual(['failover.plan']);
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
});
