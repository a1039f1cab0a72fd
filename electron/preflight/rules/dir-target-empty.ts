import { directoryRule, miss, ok } from '../rule.ts';
import { mailboxTotal } from '../../../shared/topology.ts';

export default directoryRule({
  id: 'dir-target-empty', title: 'Targets hold no mailboxes of their own', category: 'directory', platform: 'directory', severity: 'warning',
  rationale: 'Mailboxes homed on a target compete for space and are not protected by this job.',
  resolution: 'Move those mailboxes elsewhere, or protect the target in its own job.',
}, ({ topology: t, server }, f) => {
  return f.targets.map((x) => {
    const n = mailboxTotal(t, server(x.name)?.name ?? x.name);
    const evidence = [{ label: 'mailboxes', value: String(n), source: 'LDAP: homeMDBBL' }];
    return { ...(n === 0 ? ok('No mailboxes.', evidence) : miss(`${x.name} holds ${n} mailboxes of its own.`, evidence)), host: x.name };
  });
});
