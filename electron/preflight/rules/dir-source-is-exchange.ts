import { directoryRule, miss, ok } from '../rule.ts';

export default directoryRule({
  id: 'dir-source-is-exchange', title: 'The source is a mailbox server in the directory', category: 'directory', platform: 'directory', severity: 'error',
  rationale: 'Failguard protects what the directory says the source holds; an unknown source has nothing to protect.',
  resolution: 'Choose a server that Exchange lists with the Mailbox role.',
}, ({ server }, f) => {
  const s = server(f.source.name);
  const evidence = [{ label: f.source.name, value: s ? `${s.version.product}, roles ${s.roles.join(', ')}` : 'not in the organisation', source: 'LDAP: msExchExchangeServer' }];
  return s && s.roles.includes('mailbox') ? ok(`${s.name} is a mailbox server.`, evidence) : miss(s ? `${s.name} has no Mailbox role.` : `${f.source.name} is not an Exchange server in this organisation.`, evidence);
});
