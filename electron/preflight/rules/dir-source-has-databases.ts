import { directoryRule, miss, ok } from '../rule.ts';
import { mailboxTotal } from '../../../shared/topology.ts';

export default directoryRule({
  id: 'dir-source-has-databases', title: 'The source owns databases to protect', category: 'directory', platform: 'directory', severity: 'error',
  rationale: 'Protection copies the databases of the source; with none there is nothing to replicate.',
  resolution: 'Choose the server that mounts the databases now (in a DAG: the active copy).',
}, ({ topology: t, server }, f) => {
  const dbs = t.databases.filter((d) => d.server?.toLowerCase() === f.source.name.toLowerCase());
  const evidence = [{ label: 'databases', value: dbs.map((d) => d.name).join(', ') || 'none', source: 'LDAP: msExchOwningServer' }];
  return dbs.length ? ok(`${dbs.length} databases, ${mailboxTotal(t, server(f.source.name)?.name)} mailboxes.`, evidence) : miss(`${f.source.name} owns no database.`, evidence);
});
