import { hostRule, miss, na, need, ok } from '../rule.ts';

/** Not run live: judged on Win32_ComputerSystem (recorded samples in the tests). */
export default hostRule({
  id: 'win-domain-member', title: 'The server is a member of the domain', category: 'directory', platform: 'windows', severity: 'error',
  rationale: 'Exchange servers act in the directory with their computer accounts; a server outside the domain cannot take over.',
  resolution: 'Join the server to the Exchange organisation\'s domain.',
}, ['source', 'target'], (h) => {
  if (!h.windows) return na('Not a Windows server.');
  const c = need(h.windows.computer, 'Win32_ComputerSystem');
  const evidence = [{ label: 'domain', value: c.partOfDomain ? c.domain : `workgroup ${c.domain}`, source: 'Get-WmiObject Win32_ComputerSystem' }];
  return c.partOfDomain ? ok(`Member of ${c.domain}.`, evidence) : miss(`${h.name} is not in a domain.`, evidence);
});
