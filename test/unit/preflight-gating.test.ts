/** Step 3 opens only on a pre-flight that covered the current selection (source, every target, witness). */
import { describe, expect, it } from 'vitest';
import type { Backend, MethodName, RequestOf } from '../../shared/contract.ts';
import type { PreflightRunResult } from '../../shared/preflight.ts';
import type { Topology } from '../../shared/topology.ts';
import { coversSelection } from '../../shared/wizard.ts';
import { createAppStore } from '../../renderer/src/store/index.ts';
import { preflightClear, selectStepAvailability } from '../../renderer/src/store/selectors.ts';

const server = (name: string) => ({ name, dn: `CN=${name}`, fqdn: `${name.toLowerCase()}.lab.test`, adminGroup: 'AG', site: null, version: { product: 'Exchange 2010', major: 14, minor: 3, build: 123, raw: '' }, roles: ['mailbox'], dag: null, legacyExchangeDN: null });
const topology = { discoveredAt: '', directory: {}, organisation: { name: 'Org', dn: 'CN=Org', legacyExchangeDN: null }, adminGroups: ['AG'], servers: ['MAIL1', 'MAIL2', 'MAIL3'].map(server), storageGroups: [], databases: [], dags: [] } as unknown as Topology;

/** A back end whose pre-flight passes everything and reports the hosts it was asked about. */
const backend: Backend = {
  async call<M extends MethodName>(method: M, request: RequestOf<M>) {
    if (method !== 'preflight.run') throw new Error(method);
    const r = request as RequestOf<'preflight.run'>;
    const covered = [{ role: 'source' as const, h: r.source }, ...r.targets.map((h) => ({ role: 'target' as const, h })), ...(r.witness ? [{ role: 'witness' as const, h: r.witness }] : [])].map(({ role, h }) => ({ role, name: h.name, address: h.address }));
    const result: PreflightRunResult = { report: { findings: [{ ruleId: 'x', outcome: 'pass', message: '', evidence: [] }], fixes: [] } as never, plans: [], unknownHostKeys: [], hostKeys: [], recovered: [], covered };
    return result as never;
  },
  on: () => () => undefined,
};

describe('gating from current data', () => {
  it('a result for MAIL1 → MAIL2 does not open Options for MAIL1 → MAIL2 + MAIL3, nor for another witness', async () => {
    const store = createAppStore(backend);
    store.setState({ topology, source: 'MAIL1', targets: ['MAIL2'], info: { name: 'Failguard', version: '0', transport: 'http', node: '24', builtSteps: ['servers', 'preflight', 'options'], interrupted: [], secrets: { kept: false, how: 'not kept' } } });
    store.getState().setSsh({ method: 'agent', witness: 'witness.lab.test' });
    await store.getState().runPreflight();
    expect(preflightClear(store.getState())).toBe(true);
    expect(selectStepAvailability(store.getState(), 'options').state).toBe('open');

    store.getState().toggleTarget('MAIL3');
    expect(store.getState().targets).toEqual(['MAIL2', 'MAIL3']);
    expect(preflightClear(store.getState())).toBe(false);
    expect(selectStepAvailability(store.getState(), 'options')).toEqual({ state: 'locked', reason: 'The servers changed since the last pre-flight; run it again.' });

    store.getState().toggleTarget('MAIL3');
    expect(preflightClear(store.getState())).toBe(true);
    store.getState().setSsh({ witness: 'other.lab.test' });
    expect(preflightClear(store.getState())).toBe(false);
    store.getState().setSsh({ witness: 'witness.lab.test' });
    store.getState().setAddress('MAIL2', '198.18.0.99');
    expect(preflightClear(store.getState())).toBe(false);
  });

  it('compares roles, names and addresses, in any order', () => {
    const a = [{ role: 'source' as const, name: 'MAIL1', address: 'a' }, { role: 'target' as const, name: 'MAIL2', address: 'b' }];
    expect(coversSelection(a, [...a].reverse())).toBe(true);
    expect(coversSelection(a, [a[0]!, { ...a[1]!, role: 'witness' }])).toBe(false);
    expect(coversSelection(a, [a[0]!])).toBe(false);
  });
});
