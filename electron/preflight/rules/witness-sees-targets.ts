import { globalRule, miss, need, ok, na, perTarget } from '../rule.ts';

export default globalRule({
  id: 'witness-sees-targets', title: 'The witness can reach every target', category: 'witness', platform: 'network', severity: 'error',
  rationale: 'The target asks the witness before it takes over; they must reach each other.',
  resolution: 'Allow SSH between the witness and each target.',
}, (f) => {
  const w = f.witness;
  if (!w) return na('No witness was given.');
  return perTarget(f, (t) => {
    const p = w.paths.find((x) => x.peer === t.name);
    if (!p) return { ...na('The witness was not probed.'), host: t.name };
    const s = need(p.ssh, 'the path to the target');
    const evidence = [{ label: `${w.name} → ${t.name}:22`, value: s, source: p.ssh.command }];
    return { ...(s === 'open' ? ok('The witness sees the target.', evidence) : miss(`The witness cannot reach ${t.name} (${s}).`, evidence)), host: t.name };
  });
});
