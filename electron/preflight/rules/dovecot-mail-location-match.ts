import { globalRule, miss, need, ok, na, plan, shq, perTarget } from '../rule.ts';

export default globalRule({
  id: 'dovecot-mail-location-match', title: 'Dovecot finds the Maildirs at the same place on source and target', category: 'replication', platform: 'linux', severity: 'error',
  rationale: 'After failover the target serves the source\'s replicated data with its own configuration: both must agree on the Maildir location.',
  resolution: 'Set the Maildir location on the target to the source\'s value.',
}, (f) => perTarget(f, (t) => {
  if (!f.source.linux || !t.linux) return { ...na('Not a Linux pair.'), host: t.name };
  const a = need(f.source.linux.dovecot, 'the Maildir location on the source')['mail_location'] ?? '(unset)';
  const b = need(t.linux.dovecot, 'the Maildir location on the target')['mail_location'] ?? '(unset)';
  const evidence = [{ label: `${f.source.name}`, value: a, source: 'mail_location' }, { label: `${t.name}`, value: b, source: 'mail_location' }];
  return { ...(a === b ? ok('the Maildir location is the same.', evidence) : miss(`the Maildir location differs: ${a} on ${f.source.name}, ${b} on ${t.name}.`, evidence)), host: t.name };
}), {
  kind: 'safe',
  plan: (f, x) => {
    const src = f.source.linux?.dovecot;
    const t = f.targets.find((h) => h.name === x.host);
    const old = t?.linux?.dovecot.ok ? t.linux.dovecot.value['mail_location'] : undefined;
    if (!src?.ok || !t || src.value['mail_location'] === undefined) return null;
    const v = src.value['mail_location'];
    return plan('dovecot-mail-location-match', 'safe', `Set the Maildir location on ${t.name} to ${v}`, [{ host: t.name, description: `set mail_location = ${v}`, command: `sed -i ${shq(`s|^mail_location = .*|mail_location = ${v}|`)} /etc/dovecot/dovecot.conf`, undo: old === undefined ? undefined : `sed -i ${shq(`s|^mail_location = .*|mail_location = ${v}|`)} /etc/dovecot/dovecot.conf` }], t.name);
  },
});
