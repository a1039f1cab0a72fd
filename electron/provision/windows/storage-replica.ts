/**
 * The Windows engine: Storage Replica, driven by PowerShell over SSH. One replication group
 * per side covers every volume that holds the protection set (databases, logs and
 * checkpoints together), so Storage Replica's write ordering holds across them; the
 * partnership is asynchronous. The bandwidth schedule becomes an hourly scheduled task that
 * applies `Set-SmbBandwidthLimit -Category StorageReplication` for the hour of the week.
 *
 * Not run live: Windows and Storage Replica cannot run here. The scripts are generated from
 * the job, parsed with tree-sitter-powershell in the tests, and the status parsing is
 * tested on CliXml samples in test/fixtures/storage-replica.
 */
import type { ProtectionSet } from '../../../shared/protection-set.ts';
import type { JobTarget } from '../../../shared/job.ts';
import { parseSchedule } from '../../../shared/schedule.ts';
import { UserError } from '../../../shared/errors.ts';
import type { Plan, PlanStep } from '../../../shared/plan.ts';
import { encodedPowerShell, WINDOWS_MARK } from '../../hosts/windows/probe-script.ts';
import { sealPlan } from '../../plans/plan-id.ts';
import { psq } from '../../../shared/quote.ts';

export interface SrLayout {
  jobId: string;
  source: string;
  target: JobTarget;
  /** Drive letters (`E:`) holding the protection set, the same on both servers. */
  dataVolumes: string[];
  /** The volume for Storage Replica's own log, on each server (not one of the data volumes). */
  logVolume: string;
  logSizeBytes: number;
}

const list = (xs: readonly string[]) => xs.map(psq).join(', ');
export const groupNames = (jobId: string) => ({ source: `fg-${jobId.slice(0, 8)}-source`, target: `fg-${jobId.slice(0, 8)}-target` });

/** The data volumes of a protection set; refused when a path is on the system volume or not on a local drive. */
export function dataVolumesOf(set: ProtectionSet): string[] {
  const volumes = new Set<string>();
  for (const item of set.items) {
    const m = /^([A-Za-z]):\\/.exec(item.path);
    if (!m) throw new UserError('bad-layout', `${set.server}: ${item.path} is not on a local drive; Storage Replica replicates local volumes only. Move it to a local data volume.`);
    const drive = `${m[1]!.toUpperCase()}:`;
    if (drive === 'C:') throw new UserError('bad-layout', `${set.server}: ${item.path} is on the system volume C:, which Storage Replica cannot replicate; move the databases and logs to a data volume (for example with Move-DatabasePath), then run the pre-flight again.`);
    volumes.add(drive);
  }
  if (volumes.size === 0) throw new UserError('bad-layout', `${set.server} holds no database files to replicate.`);
  return [...volumes].sort();
}

/** Test-SRTopology first: it measures the volumes, the log and the link, and writes its report on the source. */
export function topologyTestScript(l: SrLayout, minutes = 10): string {
  return `$ErrorActionPreference = 'Stop'
$report = Join-Path $env:ProgramData 'Failguard\\sr-topology'
New-Item -ItemType Directory -Force -Path $report | Out-Null
Test-SRTopology -SourceComputerName ${psq(l.source)} -SourceVolumeName ${list(l.dataVolumes)} -SourceLogVolumeName ${psq(l.logVolume)} \`
  -DestinationComputerName ${psq(l.target.name)} -DestinationVolumeName ${list(l.dataVolumes)} -DestinationLogVolumeName ${psq(l.logVolume)} \`
  -DurationInMinutes ${minutes} -ResultPath $report
Get-ChildItem -Path $report -Filter 'TestSrTopologyReport*.html' | Sort-Object LastWriteTime | Select-Object -Last 1 -ExpandProperty FullName
`;
}

/** The asynchronous partnership (idempotent: an existing one of this job is left as it is), with compression where the OS has it. */
export function partnershipScript(l: SrLayout): string {
  const g = groupNames(l.jobId);
  const compress = l.target.options.compression !== 'off';
  return `$ErrorActionPreference = 'Stop'
$existing = Get-SRPartnership -ErrorAction SilentlyContinue | Where-Object { $_.SourceRGName -eq ${psq(g.source)} -and $_.DestinationComputerName -eq ${psq(l.target.name)} }
if (-not $existing) {
  New-SRPartnership -SourceComputerName ${psq(l.source)} -SourceRGName ${psq(g.source)} -SourceVolumeName ${list(l.dataVolumes)} -SourceLogVolumeName ${psq(l.logVolume)} \`
    -DestinationComputerName ${psq(l.target.name)} -DestinationRGName ${psq(g.target)} -DestinationVolumeName ${list(l.dataVolumes)} -DestinationLogVolumeName ${psq(l.logVolume)} \`
    -ReplicationMode Asynchronous -LogSizeInBytes ${l.logSizeBytes} -Confirm:$false | Out-Null
}
# Compression exists on newer Windows Server editions only; elsewhere the data goes as it is.
if ((Get-Command Set-SRGroup).Parameters.ContainsKey('Compression')) {
  Set-SRGroup -ComputerName ${psq(l.source)} -Name ${psq(g.source)} -Compression $${compress ? 'true' : 'false'} -Force
}
`;
}

/**
 * The weekly schedule as a scheduled task on the source: every hour it looks up this
 * hour's limit in the table (168 slots, Monday 00:00 first, 0 = unlimited) and applies it.
 */
export function bandwidthScript(l: SrLayout): string {
  const parsed = parseSchedule(l.target.options.schedule);
  if (!parsed.ok) throw new UserError('bad-job', `targets.${l.target.name}.options.schedule: ${parsed.error}`);
  const table = parsed.limits.map((x) => String(x ?? 0)).join(',');
  const task = `Failguard bandwidth ${l.jobId.slice(0, 8)}`;
  return `$ErrorActionPreference = 'Stop'
if (-not (Get-WindowsFeature -Name FS-SMBBW).Installed) { Install-WindowsFeature -Name FS-SMBBW | Out-Null }
$dir = Join-Path $env:ProgramData 'Failguard'
New-Item -ItemType Directory -Force -Path $dir | Out-Null
$apply = @'
$limits = @(${table})
$now = Get-Date
$slot = ((([int]$now.DayOfWeek) + 6) % 7) * 24 + $now.Hour
if ($limits[$slot] -gt 0) { Set-SmbBandwidthLimit -Category StorageReplication -BytesPerSecond $limits[$slot] }
else { Remove-SmbBandwidthLimit -Category StorageReplication -ErrorAction SilentlyContinue }
'@
Set-Content -Path (Join-Path $dir 'bandwidth-${l.jobId.slice(0, 8)}.ps1') -Value $apply -Encoding UTF8
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument ('-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "' + (Join-Path $dir 'bandwidth-${l.jobId.slice(0, 8)}.ps1') + '"')
$trigger = New-ScheduledTaskTrigger -Once -At (Get-Date).Date -RepetitionInterval (New-TimeSpan -Hours 1)
Register-ScheduledTask -TaskName ${psq(task)} -Action $action -Trigger $trigger -User 'SYSTEM' -RunLevel Highest -Force | Out-Null
Start-ScheduledTask -TaskName ${psq(task)}
`;
}

/** The status query: both cmdlets' objects as CliXml sections, read by `parseSrStatus`. */
export function statusScript(): string {
  return `$ErrorActionPreference = 'Stop'
foreach ($section in @(@('GetSRGroup', { Get-SRGroup }), @('GetSRPartnership', { Get-SRPartnership }))) {
  try {
    $xml = [System.Management.Automation.PSSerializer]::Serialize(@(& $section[1]), 3)
    Write-Output ('${WINDOWS_MARK} ' + $section[0] + ' 0')
    Write-Output $xml
  } catch {
    Write-Output ('${WINDOWS_MARK} ' + $section[0] + ' 1')
    Write-Output $_.Exception.Message
  }
}
Write-Output '${WINDOWS_MARK} end 0'
`;
}

/** Removes the partnership and groups (the data stays), and the bandwidth task. */
export function removeScript(l: SrLayout): string {
  const g = groupNames(l.jobId);
  return `$ErrorActionPreference = 'Stop'
Get-SRPartnership -ErrorAction SilentlyContinue | Where-Object { $_.SourceRGName -eq ${psq(g.source)} } | Remove-SRPartnership -Confirm:$false
Remove-SRGroup -ComputerName ${psq(l.source)} -Name ${psq(g.source)} -Confirm:$false -ErrorAction SilentlyContinue
Remove-SRGroup -ComputerName ${psq(l.target.name)} -Name ${psq(g.target)} -Confirm:$false -ErrorAction SilentlyContinue
Unregister-ScheduledTask -TaskName ${psq(`Failguard bandwidth ${l.jobId.slice(0, 8)}`)} -Confirm:$false -ErrorAction SilentlyContinue
`;
}

/** A script that exits 0 when the test holds, 1 otherwise (a plan step's verification). */
const check = (test: string) => `if (${test}) { exit 0 } else { exit 1 }`;

/**
 * The provisioning plan of a Windows job, one target: topology test, partnership, schedule;
 * each verified, the partnership and the task undone if a later step fails. Runs on the
 * one plan engine like the Linux plan. Not run live.
 */
export function windowsProvisioningPlan(jobName: string, l: SrLayout): Plan {
  const g = groupNames(l.jobId);
  const task = `Failguard bandwidth ${l.jobId.slice(0, 8)}`;
  const steps: PlanStep[] = [
    { kind: 'command', host: l.source, description: `Test the Storage Replica topology of ${l.dataVolumes.join(', ')} to ${l.target.name} (volumes, log, link)`, command: encodedPowerShell(topologyTestScript(l)) },
    { kind: 'command', host: l.source, description: `Replicate ${l.dataVolumes.join(', ')} to ${l.target.name} asynchronously, as one group (write order across the volumes)`,
      command: encodedPowerShell(partnershipScript(l)),
      verify: encodedPowerShell(check(`Get-SRPartnership -ErrorAction SilentlyContinue | Where-Object { $_.SourceRGName -eq ${psq(g.source)} -and $_.DestinationComputerName -eq ${psq(l.target.name)} }`)),
      undo: encodedPowerShell(removeScript(l)) },
    { kind: 'command', host: l.source, description: `Apply the bandwidth schedule to ${l.target.name} every hour`,
      command: encodedPowerShell(bandwidthScript(l)),
      verify: encodedPowerShell(check(`Get-ScheduledTask -TaskName ${psq(task)} -ErrorAction SilentlyContinue`)),
      undo: encodedPowerShell(`Unregister-ScheduledTask -TaskName ${psq(task)} -Confirm:$false -ErrorAction SilentlyContinue`) },
  ];
  return sealPlan({ title: `Protect ${l.source} → ${l.target.name} with Storage Replica (${jobName})`, onFailure: 'undo' as const, steps });
}
