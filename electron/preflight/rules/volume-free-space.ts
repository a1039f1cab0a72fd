import { hostRule, miss, need, ok, plan } from '../rule.ts';

export default hostRule({
  id: 'volume-free-space', title: 'The mail volume has room to grow', category: 'storage', platform: 'linux', severity: 'error',
  rationale: 'Snapshots hold old blocks until replicated; a volume near full stops taking mail.',
  resolution: 'Free space or grow the volume so that at least 15% stays free.',
}, ['source', 'target'], (h) => {
  const s = need(h.linux?.srvSpace, 'space on /srv');
  const free = s.avail / s.size;
  const evidence = [{ label: 'free', value: `${(s.avail / 2 ** 20).toFixed(0)} MiB of ${(s.size / 2 ** 20).toFixed(0)} MiB (${(free * 100).toFixed(0)}%)`, source: 'df -B1 /srv' }];
  return free >= 0.15 ? ok(`${(free * 100).toFixed(0)}% of /srv is free.`, evidence) : miss(`Only ${(free * 100).toFixed(0)}% of /srv is free on ${h.name}.`, evidence);
}, {
  kind: 'confirm',
  // The one fix that adds space without touching data: grow the file system to the whole device.
  plan: (f, x) => {
    const dev = [f.source, ...f.targets].find((h) => h.name === x.host)?.linux?.srvDevice;
    if (!dev?.ok || !dev.value || dev.value.deviceBytes <= dev.value.fsBytes * 1.05) return null;
    return plan('volume-free-space', 'confirm', `Grow /srv to its whole device on ${x.host} (${(dev.value.fsBytes / 2 ** 20).toFixed(0)} → ${(dev.value.deviceBytes / 2 ** 20).toFixed(0)} MiB)`,
      [{ kind: 'command', host: x.host!, description: 'grow the btrfs file system to the size of its device', command: 'btrfs filesystem resize max /srv' }], x.host);
  },
});
