import { hostRule, miss, na, need, ok, plan } from '../rule.ts';
import { psq } from '../../../shared/quote.ts';
import { encodedPowerShell } from '../../hosts/windows/probe-script.ts';

/** Not run live: judged on Test-ServiceHealth output (recorded samples in the tests). */
export default hostRule({
  id: 'win-exchange-services', title: 'Every required Exchange service runs', category: 'services', platform: 'windows', severity: 'error',
  rationale: 'A source with stopped Exchange services is already failing; a target with them stopped cannot take over.',
  resolution: 'Start the services Test-ServiceHealth lists as not running, and find out why they stopped (event log).',
}, ['source', 'target'], (h) => {
  if (!h.windows) return na('Not a Windows server.');
  const roles = need(h.windows.services, 'Test-ServiceHealth');
  const down = roles.flatMap((r) => r.notRunning);
  const evidence = roles.map((r) => ({ label: r.role, value: r.allRunning ? 'all required services running' : `not running: ${r.notRunning.join(', ')}`, source: 'Test-ServiceHealth' }));
  return roles.every((r) => r.allRunning) ? ok('All required services run.', evidence) : miss(`On ${h.name}, ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} not running.`, evidence);
}, {
  kind: 'confirm',
  plan: (f, x) => {
    const h = [f.source, ...f.targets].find((y) => y.name === x.host);
    const down = h?.windows?.services.ok ? h.windows.services.value.flatMap((r) => r.notRunning) : [];
    if (!down.length) return null;
    return plan('win-exchange-services', 'confirm', `Start ${down.join(', ')} on ${x.host}`, [{ kind: 'command', host: x.host!, description: 'start the stopped Exchange services', command: encodedPowerShell(`Start-Service -Name ${down.map(psq).join(',')}`) }], x.host);
  },
});
