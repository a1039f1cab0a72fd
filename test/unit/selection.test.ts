import { describe, expect, it } from 'vitest';
import { checkSelection } from '../../renderer/src/store/selection.ts';
import { defaultSelection } from '../../renderer/src/store/servers-slice.ts';
import { parseExchangeVersion, type ExchangeServer, type MailboxDatabase, type Topology } from '../../shared/topology.ts';

const v2010 = parseExchangeVersion('Version 14.3 (Build 123.4)');
const v2016 = parseExchangeVersion('Version 15.1 (Build 2507.6)');
const srv = (name: string, version = v2010, roles: ExchangeServer['roles'] = ['mailbox']): ExchangeServer =>
  ({ name, dn: name, fqdn: null, adminGroup: 'AG', site: null, version, roles, dag: null, legacyExchangeDN: null });
const db = (name: string, server: string, mailboxes: number): MailboxDatabase =>
  ({ name, dn: name, kind: 'mailbox', server, storageGroup: null, edbFile: null, streamingFile: null, logFolder: null, systemFolder: null, logPrefix: null, dag: null, mailboxes });
const topo = (servers: ExchangeServer[], databases: MailboxDatabase[]): Topology => ({ discoveredAt: '', directory: { dcHost: '', defaultNamingContext: '', configurationNamingContext: '', dnsDomain: '' }, organisation: { name: 'O', dn: 'O', legacyExchangeDN: null }, adminGroups: [], servers, storageGroups: [], databases, dags: [] });

describe('choosing source and targets', () => {
  const t = topo([srv('A'), srv('B'), srv('C', v2016), srv('HUB', v2010, ['hubTransport'])], [db('D1', 'A', 100), db('D2', 'B', 0)]);

  it('is complete with a source and a same-version target', () => {
    expect(checkSelection(t, 'A', ['B'])).toEqual({ complete: true, warnings: {} });
  });

  it('warns about a target of another major version, and does not count it', () => {
    const c = checkSelection(t, 'A', ['C']);
    expect(c.complete).toBe(false);
    expect(c.warnings.C).toMatch(/Exchange 2016.*Exchange 2010/);
  });

  it('warns about a target or source without the Mailbox role', () => {
    expect(checkSelection(t, 'A', ['HUB']).warnings.HUB).toMatch(/no Mailbox role/);
    expect(checkSelection(t, 'HUB', ['A']).complete).toBe(false);
  });

  it('is incomplete without a target or a source', () => {
    expect(checkSelection(t, 'A', []).complete).toBe(false);
    expect(checkSelection(t, null, ['B']).complete).toBe(false);
    expect(checkSelection(null, 'A', ['B']).complete).toBe(false);
  });

  it('defaults to the busiest server as source and the first empty same-version server (by name) as target', () => {
    expect(defaultSelection(t)).toEqual({ source: 'A', targets: ['B'] });
    const two = topo([srv('A'), srv('B'), srv('E')], [db('D1', 'A', 5)]);
    expect(defaultSelection(two)).toEqual({ source: 'A', targets: ['B'] });
    expect(defaultSelection(topo([srv('A'), srv('E'), srv('B')], [db('D1', 'A', 5)]))).toEqual({ source: 'A', targets: ['B'] });
  });
});
