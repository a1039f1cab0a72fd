import { globalRule, miss, need, ok, na, plan, perTarget } from '../rule.ts';
import { shellCommand } from '../../../shared/quote.ts';

export default globalRule({
  id: 'postfix-myhostname-distinct', title: 'Each mail host has its own Postfix host name', category: 'application', platform: 'linux', severity: 'warning',
  rationale: 'Two hosts that greet as the same name make mail loops and headers impossible to trace.',
  resolution: 'Set myhostname on each host to its own name (postconf -e myhostname=...).',
}, (f) => perTarget(f, (t) => {
  if (!f.source.linux || !t.linux) return { ...na('Not a Linux pair.'), host: t.name };
  const a = need(f.source.linux.postfix, 'Postfix settings').myhostname ?? '';
  const b = need(t.linux.postfix, 'Postfix settings').myhostname ?? '';
  const evidence = [{ label: f.source.name, value: a || '(default)', source: 'postconf -n' }, { label: t.name, value: b || '(default)', source: 'postconf -n' }];
  return { ...(a !== b || !a ? ok('The names differ.', evidence) : miss(`Both hosts call themselves ${a}.`, evidence)), host: t.name };
}), {
  kind: 'safe',
  plan: (f, x) => {
    const t = f.targets.find((h) => h.name === x.host);
    const name = t?.linux?.hostname.ok ? t.linux.hostname.value.fqdn : null;
    const old = t?.linux?.postfix.ok ? t.linux.postfix.value.myhostname : undefined;
    if (!t || !name) return null;
    return plan('postfix-myhostname-distinct', 'safe', `Let Postfix on ${t.name} greet as ${name}`, [{ kind: 'command', host: t.name, description: `set myhostname = ${name}`, command: shellCommand(['postconf', '-e', `myhostname=${name}`]), undo: old ? shellCommand(['postconf', '-e', `myhostname=${old}`]) : undefined }], t.name);
  },
});
