import { globalRule, miss, ok } from '../rule.ts';

export default globalRule({
  id: 'witness-separate', title: 'The witness is a host of its own', category: 'witness', platform: 'any', severity: 'error',
  rationale: 'A witness on the source or a target votes with that host: it cannot break a tie.',
  resolution: 'Choose a third host, ideally in another room or site, as the witness.',
}, (f) => {
  if (!f.witness) return miss('No witness was given: an automatic failover could not tell a dead source from a cut network.', []);
  const clash = [f.source, ...f.targets].find((h) => h.address === f.witness!.address);
  const evidence = [{ label: 'witness', value: `${f.witness.name} (${f.witness.address})` }];
  return clash ? miss(`The witness is ${clash.name} itself.`, evidence) : ok('The witness is separate.', evidence);
});
