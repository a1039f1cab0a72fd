import { hostRule, miss, na, need, ok, plan } from '../rule.ts';
import { encodedPowerShell } from '../../hosts/windows/probe-script.ts';

/** Not run live: judged on Win32_ComputerSystem and Win32_PageFileSetting (recorded samples in the tests). */
export default hostRule({
  id: 'win-pagefile', title: 'The page file has a fixed size', category: 'os', platform: 'windows', severity: 'warning',
  rationale: 'Exchange guidance: a system-managed page file grows and fragments under load; set one fixed size.',
  resolution: 'Turn off automatic page file management and set initial = maximum size (25% of memory for 2016 and later).',
}, ['source', 'target'], (h) => {
  if (!h.windows) return na('Not a Windows server.');
  const c = need(h.windows.computer, 'Win32_ComputerSystem');
  const files = need(h.windows.pagefiles, 'Win32_PageFileSetting');
  const evidence = [{ label: 'automatic', value: String(c.automaticPagefile), source: 'Win32_ComputerSystem.AutomaticManagedPagefile' }, ...files.map((p) => ({ label: p.name, value: `${p.initialMb}-${p.maximumMb} MB`, source: 'Get-WmiObject Win32_PageFileSetting' }))];
  const fixed = !c.automaticPagefile && files.length > 0 && files.every((p) => p.initialMb > 0 && p.initialMb === p.maximumMb);
  return fixed ? ok('Fixed-size page file.', evidence) : miss(c.automaticPagefile ? `Windows manages ${h.name}'s page file size.` : `${h.name}'s page file size varies.`, evidence);
}, {
  kind: 'confirm',
  plan: (f, x) => {
    const h = [f.source, ...f.targets].find((y) => y.name === x.host);
    const mem = h?.windows?.os.ok ? h.windows.os.value.totalMemoryKb : 0;
    if (!mem) return null;
    const mb = Math.round(mem / 1024 / 4);
    return plan('win-pagefile', 'confirm', `Give ${x.host} a fixed ${mb} MB page file (takes effect after a restart)`, [
      { kind: 'command', host: x.host!, description: 'turn off automatic page file management', command: encodedPowerShell('Get-CimInstance Win32_ComputerSystem | Set-CimInstance -Property @{AutomaticManagedPagefile=$false}'), undo: encodedPowerShell('Get-CimInstance Win32_ComputerSystem | Set-CimInstance -Property @{AutomaticManagedPagefile=$true}') },
      { kind: 'command', host: x.host!, description: `set C:\\pagefile.sys to ${mb} MB`, command: encodedPowerShell(`$p = Get-CimInstance Win32_PageFileSetting; if (-not $p) { $p = New-CimInstance -ClassName Win32_PageFileSetting -Property @{Name='C:\\pagefile.sys'} }; $p | Set-CimInstance -Property @{InitialSize=${Number(mb)}; MaximumSize=${Number(mb)}}`) },
    ], x.host);
  },
});
