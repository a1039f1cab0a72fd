import { directoryRule, miss, na, ok } from '../rule.ts';

export default directoryRule({
  id: 'dir-target-counterparts', title: 'Each target has a database for every database of the source', category: 'directory', platform: 'directory', severity: 'error',
  rationale: 'On failover every mailbox (and public folder) is re-homed from its database on the source to a counterpart on the target; a database without one leaves its users homed on a dead server.',
  resolution: 'Create as many mailbox (and public folder) databases on the target as the source has, or choose the counterparts in step 3.',
}, ({ topology: t }, f) => {
  const on = (server: string, kind: 'mailbox' | 'public') => t.databases.filter((d) => d.server?.toLowerCase() === server.toLowerCase() && d.kind === kind).map((d) => d.name).sort();
  if (!on(f.source.name, 'mailbox').length && !on(f.source.name, 'public').length) return na(`${f.source.name} owns no database (another rule says so).`);
  return f.targets.map((x) => {
    const short = (['mailbox', 'public'] as const).filter((k) => on(x.name, k).length < on(f.source.name, k).length);
    const evidence = (['mailbox', 'public'] as const).flatMap((k) => [
      { label: `${f.source.name} ${k} databases`, value: on(f.source.name, k).join(', ') || 'none', source: 'LDAP: msExchOwningServer' },
      { label: `${x.name} ${k} databases`, value: on(x.name, k).join(', ') || 'none', source: 'LDAP: msExchOwningServer' },
    ]);
    return { ...(short.length ? miss(`${x.name} has fewer ${short.join(' and ')} databases than ${f.source.name}, so some mailboxes would have nowhere to go.`, evidence) : ok('Every database has a counterpart.', evidence)), host: x.name };
  });
});
