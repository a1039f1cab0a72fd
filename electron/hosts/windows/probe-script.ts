/**
 * The Windows + Exchange probe: one PowerShell script over OpenSSH that writes each
 * section as CliXml (PSSerializer), the same serialisation as the recorded samples in
 * test/fixtures/exchange-recorded (copied from ../shared/fixtures), so one parser reads both.
 * Not run live: Windows and Exchange cannot run here; the script is parsed with
 * tree-sitter-powershell in the tests and its outputs are tested on recorded samples.
 */
export const WINDOWS_SECTIONS: ReadonlyArray<[string, string]> = [
  ['GetExchangeServer', 'Get-ExchangeServer -Identity $env:COMPUTERNAME'],
  ['GetMailboxServer', 'Get-MailboxServer -Identity $env:COMPUTERNAME'],
  ['TestServiceHealth', 'Test-ServiceHealth -Server $env:COMPUTERNAME'],
  ['Win32_OperatingSystem', 'Get-WmiObject -Class Win32_OperatingSystem'],
  ['Win32_ComputerSystem', 'Get-WmiObject -Class Win32_ComputerSystem'],
  ['Win32_NetworkAdapter', "Get-WmiObject -Class Win32_NetworkAdapter -Filter \"NetConnectionStatus='2'\""],
  ['Win32_NetworkAdapterConfiguration', 'Get-WmiObject -Class Win32_NetworkAdapterConfiguration -Filter "IPEnabled = True"'],
  ['Win32_PageFileSetting', 'Get-WmiObject -Class Win32_PageFileSetting'],
  ['GetHotFix', 'Get-HotFix'],
  ['ProductName', "(Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion' -Name ProductName).ProductName"],
];

export const WINDOWS_MARK = '@@FGWIN';

export function windowsProbeScript(): string {
  const sections = WINDOWS_SECTIONS.map(([name, cmd]) => `Write-Section '${name}' { ${cmd} }`);
  return `$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
# Exchange cmdlets: the snap-in on the server itself (2010+), or nothing (then those sections report the error).
foreach ($snapin in 'Microsoft.Exchange.Management.PowerShell.SnapIn', 'Microsoft.Exchange.Management.PowerShell.E2010') {
  if (Get-PSSnapin -Registered -Name $snapin -ErrorAction SilentlyContinue) { Add-PSSnapin $snapin -ErrorAction SilentlyContinue; break }
}
function Write-Section([string] $Name, [scriptblock] $Probe) {
  try {
    $result = @(& $Probe)
    $xml = [System.Management.Automation.PSSerializer]::Serialize($result, 2)
    Write-Output "${WINDOWS_MARK} $Name 0"
    Write-Output $xml
  } catch {
    Write-Output "${WINDOWS_MARK} $Name 1"
    Write-Output $_.Exception.Message
  }
}
${sections.join('\n')}
Write-Output "${WINDOWS_MARK} end 0"
`;
}

/** How a script is sent: PowerShell's -EncodedCommand takes UTF-16LE base64, so no quoting can break it. */
export function encodedPowerShell(script: string): string {
  return `powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${Buffer.from(script, 'utf16le').toString('base64')}`;
}

export const windowsProbeCommand = (): string => encodedPowerShell(windowsProbeScript());
