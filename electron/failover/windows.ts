/**
 * Failover on Windows + Exchange with Storage Replica: the target's volumes made the source
 * of the partnership (writable), DNS and mailbox homes as on Linux, the Exchange services
 * (and those the user lists) started in dependency order and checked, and alerts written to
 * the Windows Event Log as well as sent.
 *
 * Not run live: Windows and Exchange cannot run here. The scripts are generated from the job,
 * parsed with tree-sitter-powershell in the tests, and the services an Exchange server needs
 * are read from Test-ServiceHealth outputs recorded on Exchange 2013, 2016 and 2019.
 */
import type { Plan, PlanStep } from '../../shared/plan.ts';
import { UserError } from '../../shared/errors.ts';
import { parseCliXml, type CliValue } from '../hosts/windows/clixml.ts';
import { encodedPowerShell } from '../hosts/windows/probe-script.ts';
import { groupNames, type SrLayout } from '../provision/windows/storage-replica.ts';
import { sealPlan } from '../plans/plan-id.ts';
import { psq } from '../../shared/quote.ts';


/**
 * The order Exchange's services start in: the directory topology service first (every other
 * one asks it where AD is), then the service host and the store, then transport and the rest,
 * IIS last (its Exchange applications need the store). Services not listed start after these,
 * in the order given.
 */
export const EXCHANGE_START_ORDER = [
  'WinRM', 'MSExchangeADTopology', 'MSExchangeServiceHost', 'MSExchangeIS', 'MSExchangeRepl', 'MSExchangeDagMgmt',
  'MSExchangeFrontEndTransport', 'MSExchangeTransport', 'MSExchangeDelivery', 'MSExchangeSubmission', 'MSExchangeRPC',
  'MSExchangeMailboxAssistants', 'MSExchangeMailboxReplication', 'MSExchangeThrottling', 'MSExchangeEdgeSync',
  'MSExchangeTransportLogSearch', 'MSExchangeAntispamUpdate', 'MSExchangeHM', 'MSExchangeUM', 'MSExchangeFastSearch',
  'HostControllerService', 'IISAdmin', 'W3Svc',
] as const;

/** The services an Exchange server's roles need, from Test-ServiceHealth (CliXml), running or not. */
export function exchangeServicesOf(testServiceHealthXml: string): { services: string[]; notRunning: string[] } {
  const rows = parseCliXml(testServiceHealthXml) as Array<Record<string, CliValue>>;
  const list = (v: CliValue | undefined) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const all = new Set<string>();
  const down = new Set<string>();
  for (const r of rows) {
    for (const s of [...list(r.ServicesRunning), ...list(r.ServicesNotRunning)]) all.add(s);
    for (const s of list(r.ServicesNotRunning)) down.add(s);
  }
  if (!all.size) throw new UserError('bad-input', 'Test-ServiceHealth listed no Exchange service; run it on the Exchange server itself.');
  return { services: startOrder([...all]), notRunning: startOrder([...down]) };
}

/** Services in the order they start (Exchange's by their dependencies, then the others as given); names matched case-insensitively. */
export function startOrder(services: readonly string[]): string[] {
  const rank = (s: string) => {
    const i = EXCHANGE_START_ORDER.findIndex((x) => x.toLowerCase() === s.toLowerCase());
    return i < 0 ? EXCHANGE_START_ORDER.length : i;
  };
  const seen = new Set<string>();
  return services.map((s, i) => ({ s, i })).filter(({ s }) => !seen.has(s.toLowerCase()) && seen.add(s.toLowerCase()))
    .sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i).map(({ s }) => s);
}

/** Starts the services in order, each set to start with Windows again; stops at the first that does not run within the time. */
export function startServicesScript(services: readonly string[], timeoutSeconds = 300): string {
  return `$ErrorActionPreference = 'Stop'
foreach ($name in @(${startOrder(services).map(psq).join(', ')})) {
  $svc = Get-Service -Name $name -ErrorAction SilentlyContinue
  if (-not $svc) { throw "The service $name does not exist on $env:COMPUTERNAME." }
  Set-Service -Name $name -StartupType Automatic
  if ($svc.Status -ne 'Running') { Start-Service -Name $name }
  $svc.WaitForStatus('Running', [TimeSpan]::FromSeconds(${timeoutSeconds}))
  Write-Output "$name running"
}
`;
}

/** Stops the services in the reverse order and keeps them from starting with Windows (a fenced server must not serve after a reboot). */
export function stopServicesScript(services: readonly string[], timeoutSeconds = 300): string {
  return `$ErrorActionPreference = 'Stop'
foreach ($name in @(${[...startOrder(services)].reverse().map(psq).join(', ')})) {
  $svc = Get-Service -Name $name -ErrorAction SilentlyContinue
  if (-not $svc) { continue }
  Set-Service -Name $name -StartupType Manual
  if ($svc.Status -ne 'Stopped') { Stop-Service -Name $name -Force; $svc.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(${timeoutSeconds})) }
  Write-Output "$name stopped"
}
`;
}

/** Exit 0 only when every service runs and SMTP greets with 220 on this server. */
export function servicesAnswerScript(services: readonly string[]): string {
  return `$ErrorActionPreference = 'Stop'
$down = @(Get-Service -Name @(${startOrder(services).map(psq).join(', ')}) | Where-Object { $_.Status -ne 'Running' } | ForEach-Object { $_.Name })
if ($down.Count -gt 0) { Write-Output ("not running: " + ($down -join ', ')); exit 1 }
$client = New-Object System.Net.Sockets.TcpClient('127.0.0.1', 25)
$reader = New-Object System.IO.StreamReader($client.GetStream())
$banner = $reader.ReadLine()
$client.Close()
if (-not $banner.StartsWith('220')) { Write-Output "SMTP said: $banner"; exit 1 }
Write-Output $banner
`;
}

const EVENT_IDS: Record<string, number> = { 'failover-started': 1001, 'failover-done': 1002, 'failover-failed': 1003, 'switchover-started': 1011, 'switchover-done': 1012, 'failback-started': 1021, 'failback-done': 1022 };

/** An alert in the Application log under the source Failguard (made once), with an event id per event. */
export function eventLogScript(event: string, severity: 'info' | 'warning' | 'critical', message: string): string {
  const type = severity === 'critical' ? 'Error' : severity === 'warning' ? 'Warning' : 'Information';
  return `if (-not [System.Diagnostics.EventLog]::SourceExists('Failguard')) { New-EventLog -LogName Application -Source 'Failguard' }
Write-EventLog -LogName Application -Source 'Failguard' -EventId ${EVENT_IDS[event] ?? 1000} -EntryType ${type} -Message ${psq(`${event}: ${message}`)}
`;
}

/**
 * Mail admission on Exchange (not run live). What the Linux agent does through Postfix's policy
 * check — mail is admitted only while this server's lease is affirmed — is here the fence's work
 * at the door: `enabled = false` turns off every receive connector of this server, so SMTP takes
 * nothing and senders retry; `true` turns them on again, only once the witness names this server.
 * The finer form, a transport agent that answers 451 at RCPT TO while the Failguard service does
 * not affirm the lease (as the Linux agent answers Postfix), is the equivalent written down, not built.
 */
export function receiveConnectorsScript(enabled: boolean): string {
  const want = enabled ? '$true' : '$false';
  return `$ErrorActionPreference = 'Stop'
if (-not (Get-Command Get-ReceiveConnector -ErrorAction SilentlyContinue)) { Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn }
foreach ($c in @(Get-ReceiveConnector -Server $env:COMPUTERNAME)) {
  if ($c.Enabled -ne ${want}) { Set-ReceiveConnector -Identity $c.Identity -Enabled ${want} -Confirm:$false }
}
$other = @(Get-ReceiveConnector -Server $env:COMPUTERNAME | Where-Object { $_.Enabled -ne ${want} } | ForEach-Object { $_.Name })
if ($other.Count -gt 0) { Write-Output ("receive connectors not ${enabled ? 'enabled' : 'disabled'}: " + ($other -join ', ')); exit 1 }
Write-Output "every receive connector of $env:COMPUTERNAME is ${enabled ? 'enabled' : 'disabled'}"
`;
}

/** The target's replicated volumes become the source of the partnership, so they are writable there (Storage Replica's failover). */
export function promoteVolumesScript(l: SrLayout): string {
  const g = groupNames(l.jobId);
  return `$ErrorActionPreference = 'Stop'
Set-SRPartnership -NewSourceComputerName ${psq(l.target.name)} -SourceRGName ${psq(g.target)} -DestinationComputerName ${psq(l.source)} -DestinationRGName ${psq(g.source)} -Force
Get-SRGroup -Name ${psq(g.target)} | Select-Object -ExpandProperty Replicas | ForEach-Object { "$($_.DataVolume) $($_.ReplicationMode)" }
`;
}

/**
 * The failover plan of a Windows job: an Event Log entry, the volumes promoted, DNS and homes
 * (the same steps as on Linux), the services started in order and checked, a last entry.
 */
export function windowsFailoverPlan(jobName: string, l: SrLayout, services: readonly string[], directorySteps: PlanStep[]): Plan {
  const T = l.target.name;
  const log = (event: string, severity: 'info' | 'critical', message: string): PlanStep => ({ kind: 'command', host: T, description: `Event Log: ${message}`, command: encodedPowerShell(eventLogScript(event, severity, message)) });
  const steps: PlanStep[] = [
    log('failover-started', 'critical', `${T} is taking over from ${l.source}.`),
    { kind: 'command', host: T, description: `make the replicated volumes ${l.dataVolumes.join(', ')} the source on ${T} (writable)`, command: encodedPowerShell(promoteVolumesScript(l)) },
    ...directorySteps,
    { kind: 'command', host: T, description: `start ${startOrder(services).join(', ')} on ${T} in dependency order and check that SMTP answers`,
      command: encodedPowerShell(startServicesScript(services)), verify: encodedPowerShell(servicesAnswerScript(services)), undo: encodedPowerShell(stopServicesScript(services)) },
    log('failover-done', 'info', `${T} has taken over from ${l.source} and serves mail.`),
  ];
  return sealPlan({ title: `Fail over ${l.source} → ${T} (${jobName})`, onFailure: 'stop', steps });
}
