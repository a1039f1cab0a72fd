import { globalRule, miss, na, need, ok, type Verdict } from '../rule.ts';
import { fqdnOf } from '../../../shared/dns-record.ts';

export default globalRule({
  id: 'dns-tsig-accepted', title: 'The DNS server outside AD accepts the TSIG key for each chosen record', category: 'dns', platform: 'network', severity: 'error',
  rationale: 'Records in zones that AD does not hold are changed by RFC 2136 updates signed with a TSIG key; a key the server does not know, a wrong secret or an update-policy that leaves the record out stops the failover at its DNS step.',
  resolution: 'Give the key\'s secret as the DNS server has it, and grant the key the records in the server\'s update-policy (BIND: grant KEY zonesub ANY; or name by name).',
}, (f) => {
  const outside = (f.choices?.dns ?? []).filter((d) => d.record.server);
  if (!outside.length) return na('No chosen record is kept outside AD.');
  return outside.map((d): Verdict => {
    const s = d.record.server!;
    const name = `${fqdnOf(d.record.zone, d.record.name)} ${d.record.type}`;
    if (!d.keyTest) return na(`The secret of the key ${s.key} was not given here, so it was not tested for ${name}; it is tested whenever it is given, and a failover checks it before it starts.`);
    const t = need(d.keyTest, `the key ${s.key} at ${s.address}`);
    const evidence = [{ label: `${s.address}, key ${s.key} (${s.algorithm}), ${name}`, value: t.accepted ? 'accepted' : t.answer, source: d.keyTest.command }];
    return t.accepted ? ok(`${s.address} accepts updates of ${name} signed with ${s.key}.`, evidence) : miss(`${s.address} does not accept updates of ${name} signed with ${s.key}.`, evidence);
  });
});
