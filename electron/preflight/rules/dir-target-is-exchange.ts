import { directoryRule, miss, ok } from '../rule.ts';

export default directoryRule({
  id: 'dir-target-is-exchange', title: 'Each target is a mailbox server in the directory', category: 'directory', platform: 'directory', severity: 'error',
  rationale: 'A target takes over the databases of the source: it must be an Exchange mailbox server of the same organisation.',
  resolution: 'Install Exchange with the Mailbox role on the target, or choose another.',
}, ({ server }, f) => {
  return f.targets.map((x) => {
    const s = server(x.name);
    const evidence = [{ label: x.name, value: s ? `${s.version.product}, roles ${s.roles.join(', ')}` : 'not in the organisation', source: 'LDAP: msExchExchangeServer' }];
    return { ...(s && s.roles.includes('mailbox') ? ok(`${s.name} is a mailbox server.`, evidence) : miss(s ? `${s.name} has no Mailbox role.` : `${x.name} is not an Exchange server in this organisation.`, evidence)), host: x.name };
  });
});
