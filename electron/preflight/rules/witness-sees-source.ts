import { globalRule, miss, need, ok, na } from '../rule.ts';

export default globalRule({
  id: 'witness-sees-source', title: 'The witness can reach the source', category: 'witness', platform: 'network', severity: 'error',
  rationale: 'The witness breaks ties: it must see the source to tell "source down" from "target cut off".',
  resolution: 'Allow SSH from the witness to the source.',
}, (f) => {
  if (!f.witness) return na('No witness was given.');
  const p = f.witness.paths.find((x) => x.peer === f.source.name);
  if (!p && f.witness.probeError) return { error: `The probe of ${f.witness.name} did not finish, so its path to ${f.source.name} was not checked.` };
  if (!p) return na('The witness was not probed.');
  const s = need(p.ssh, 'the path to the source');
  const evidence = [{ label: `${f.witness.name} → ${f.source.name}:22`, value: s, source: p.ssh.command }];
  return s === 'open' ? ok('The witness sees the source.', evidence) : miss(`The witness cannot reach ${f.source.name} (${s}).`, evidence);
});
