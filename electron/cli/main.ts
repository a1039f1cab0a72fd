/**
 * The `failguard` command line. Parsing only: each command calls the same services the
 * wizard uses. Errors are one sentence on stderr and a non-zero exit code.
 */
import { checkCommand } from './check-command.ts';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { VERSION } from '../backend/version.ts';
import { toUserError } from '../../shared/errors.ts';
import { explainCommanderError, isHelpOrVersion } from './commander-errors.ts';
import { serve } from './serve-command.ts';
import { discoverWithTrust, topologyTable, type DirectoryCliOptions } from './discover-command.ts';
import { preflight, printRules, type PreflightCliOptions } from './preflight-command.ts';
import { Option } from 'commander';
import { rehearsalsCommand, rehearseCommand, type RehearseCliOptions } from './rehearse-command.ts';
import { failbackCommand, failoverCommand, type FailoverCliOptions } from './failover-command.ts';
import type { KeptCliOptions } from './kept-secrets.ts';
import { protectCommand, statusCommand, unprotectCommand, verifyCommand, type PlanCliOptions } from './protect-command.ts';
import { pointsCommand, releaseCommand } from './points-command.ts';

/**
 * Exit codes a script can trust: a bad command line or bad input never shares a code
 * with a check's outcome. 1-3 are preflight's outcomes (OUTCOME_EXIT in shared/preflight.ts).
 */
export const EXIT = { ok: 0, warnings: 1, failures: 2, unchecked: 3, failed: 4, usage: 64, cancelled: 130 } as const;

/** The options of every command that reaches a job's servers: where their SSH secret comes from. */
const SSH_SECRET_FILE = ['--ssh-secret-file <file>', 'a file whose first line is the SSH key\'s passphrase or the SSH password (else the one kept for the job)'] as const;
const AT_OPTION = ['--at <time>', 'the newest point taken at or before this time: 2026-12-04T10:30 (local time; Z for UTC) or a span before now such as -15m, -2h, -1d'] as const;
const USE_KEPT_SECRETS = ['--secret-key-file <file>', 'use the job\'s secrets kept in the encrypted store opened with this key file (or FAILGUARD_SECRET_KEY_FILE)'] as const;

export const EXIT_HELP = `
Exit codes:
  0    done (preflight: every check passed)
  1    preflight: warnings only
  2    preflight: at least one check failed
  3    preflight: some checks could not run (and none failed)
  4    the work could not be done (a server, the directory or a file refused; the message says what to do)
  64   the command line or its input was wrong (nothing was done)
  130  cancelled`;

/** Input errors: the person gave something that cannot work; nothing was done. */
const USAGE_CODES = new Set(['bad-usage', 'bad-input', 'bad-request', 'bad-job', 'no-key-store']);

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port must be a number from 0 to 65535; "${v}" is not.`);
  return n;
}

export function buildProgram(): Command {
  const program = new Command('failguard')
    .description('Protect an Exchange server with replication and failover.')
    .version(VERSION, '-v, --version', 'print the version')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError(false)
    .addHelpText('after', EXIT_HELP);
  program.command('serve')
    .description('serve the wizard to a browser on this machine (127.0.0.1 only)')
    .option('--port <n>', 'port to listen on (0 picks a free one)', port, 0)
    .option('--open', 'open the address in a browser', false)
    .option('--secret-key-file <file>', 'keep saved jobs\' passwords and keys encrypted with this key file (at least 16 random bytes; or FAILGUARD_SECRET_KEY_FILE)')
    .action((o: { port: number; open: boolean; secretKeyFile?: string }) => serve(o));
  withDirectoryOptions(program.command('discover'))
    .description('find the Exchange organisation in Active Directory')
    .option('--json', 'print the topology as JSON')
    .action(async (o: DirectoryCliOptions & { json?: boolean }) => {
      const t = await discoverWithTrust(o);
      process.stdout.write(o.json ? `${JSON.stringify(t, null, 2)}\n` : topologyTable(t));
    });
  program.command('rules')
    .description('list the pre-flight rules')
    .option('--json', 'print the catalog as JSON')
    .action((o: { json?: boolean }) => printRules(!!o.json));
  withDirectoryOptions(program.command('preflight'))
    .description('check source, targets, witness, directory and network before protection')
    .option('--source <host>', 'the server to protect (its directory name, DNS name or address)')
    .option('--target <host>', 'a server to fail over to (repeat for more)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--witness <host>', 'the tie-breaking host')
    .option('--ssh-user <name>', 'the account on the servers', 'root')
    .option('--ssh-key <file>', 'private key (default: the SSH agent)')
    .option('--ssh-secret-file <file>', 'a file whose first line is the key\'s passphrase (with --ssh-key) or the SSH password (without it)')
    .option('--pins <file>', 'pinned host keys of this job (JSON); accepted keys are added')
    .option('--accept-host-key <sha256>', 'trust this host key fingerprint (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--fix', 'apply every automatic fix (this is your consent), then check again')
    .addOption(new Option('--interrupted <what>', 'with --fix: finish (resume) or undo (rollback) a run on these servers that was cut short').choices(['resume', 'rollback']).default('resume'))
    .option('--report <file>', 'write a report')
    .addOption(new Option('--format <format>', 'report format').choices(['html', 'pdf', 'json', 'junit']))
    .option('--json', 'print the report as JSON')
    .action(async (o: PreflightCliOptions) => {
      process.exitCode = await preflight(o);
    });
  withDirectoryOptions(program.command('protect'))
    .description('install and start the agents of a job (shows the plan; --apply ID or --yes runs it); automatic failover also needs the directory account')
    .option('--dns-secrets <file>', 'JSON of TSIG key name → base64 secret, for DNS records on servers outside AD (RFC 2136); with automatic failover kept sealed on the targets')
    .option('--alert-secrets <file>', 'JSON with the alert receivers\' secrets (smtpPassword, snmpCommunity, snmpAuthKey, snmpPrivKey); kept only in the agents\' 0600 configuration')
    .requiredOption('--job <file>', 'the job file')
    .option('--secret-key-file <file>', 'use (and keep) the job\'s secrets in the encrypted store opened with this key file (or FAILGUARD_SECRET_KEY_FILE)')
    .option(...SSH_SECRET_FILE)
    .option('--apply <plan-id>', 'run exactly the plan with this id (as shown before)')
    .option('--yes', 'run the plan as it is now (consent without review)')
    .action(async (o: PlanCliOptions & DirectoryCliOptions & KeptCliOptions & { alertSecrets?: string; dnsSecrets?: string }) => { process.exitCode = await protectCommand(o); });
  program.command('status')
    .description('the agents of a job: replication state, newest point (RPO), throughput')
    .requiredOption('--job <file>', 'the job file')
    .option('--json', 'print the agents\' states as JSON')
    .option('--watch', 'print again every 2 seconds until interrupted')
    .option('--check', 'one line for Nagios/Icinga: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, with performance data (RPO per standby against the job\'s thresholds)')
    .option(...USE_KEPT_SECRETS)
    .option(...SSH_SECRET_FILE)
    .action(async (o: KeptCliOptions & { job: string; json?: boolean; watch?: boolean; check?: boolean }) => { process.exitCode = o.check ? await checkCommand(o) : await statusCommand(o); });
  program.command('verify')
    .description('compare the newest common point of the source and each target, file by file')
    .requiredOption('--job <file>', 'the job file')
    .option('--target <name>', 'only this target')
    .option('--json', 'print each result as JSON')
    .option(...USE_KEPT_SECRETS)
    .option(...SSH_SECRET_FILE)
    .action(async (o: KeptCliOptions & { job: string; target?: string; json?: boolean }) => { process.exitCode = await verifyCommand(o); });
  program.command('points')
    .description('the consistency points each standby holds: time, size (what changed), held or not; and the space the retention takes')
    .requiredOption('--job <file>', 'the job file')
    .option('--target <name>', 'only this standby')
    .option('--json', 'print the points as JSON')
    .option(...USE_KEPT_SECRETS)
    .option(...SSH_SECRET_FILE)
    .action(async (o: KeptCliOptions & { job: string; target?: string; json?: boolean }) => { process.exitCode = await pointsCommand(o); });
  program.command('release')
    .description('let the retention prune held points on a standby again (shows the plan; --apply ID or --yes runs it)')
    .requiredOption('--job <file>', 'the job file')
    .option('--target <name>', 'the standby (when the job has several)')
    .option('--point <name>', 'a held point (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--all', 'every held point on that standby')
    .option('--apply <plan-id>', 'run exactly the plan with this id (as shown before)')
    .option('--yes', 'run the plan as it is now (consent without review)')
    .option(...USE_KEPT_SECRETS)
    .option(...SSH_SECRET_FILE)
    .action(async (o: PlanCliOptions & KeptCliOptions & { target?: string; point?: string[]; all?: boolean }) => { process.exitCode = await releaseCommand(o); });
  withDirectoryOptions(program.command('failover'))
    .description('bring a target up in the source\'s place: the lease from the witness, the newest point (or the one --at picks), DNS, mailbox homes, services (shows the plan; --apply ID or --yes runs it)')
    .requiredOption('--job <file>', 'the job file')
    .option('--target <name>', 'the target that takes over (when the job has several)')
    .option(...AT_OPTION)
    .option('--dns-secrets <file>', 'JSON of TSIG key name → base64 secret, for DNS records on servers outside AD (RFC 2136)')
    .option('--planned', 'a switchover while the source is up: its services stop first and a final point is shipped, so nothing is lost')
    .option('--secret-key-file <file>', 'use (and keep) the job\'s secrets in the encrypted store opened with this key file (or FAILGUARD_SECRET_KEY_FILE)')
    .option(...SSH_SECRET_FILE)
    .option('--apply <plan-id>', 'run exactly the plan with this id (as shown before)')
    .option('--yes', 'run the plan as it is now (consent without review)')
    .action(async (o: FailoverCliOptions) => { process.exitCode = await failoverCommand(o); });
  withDirectoryOptions(program.command('failback'))
    .description('after a failover, bring the source back: only what changed travels back while users work on the target, then a short cut-over; DNS and mailbox homes restored')
    .requiredOption('--job <file>', 'the job file')
    .option('--target <name>', 'the target that had taken over (when the job has several)')
    .option('--dns-secrets <file>', 'JSON of TSIG key name → base64 secret, for DNS records on servers outside AD (RFC 2136)')
    .option('--secret-key-file <file>', 'use (and keep) the job\'s secrets in the encrypted store opened with this key file (or FAILGUARD_SECRET_KEY_FILE)')
    .option(...SSH_SECRET_FILE)
    .option('--apply <plan-id>', 'run exactly the plan with this id (as shown before)')
    .option('--yes', 'run the plan as it is now (consent without review)')
    .action(async (o: FailoverCliOptions) => { process.exitCode = await failbackCommand(o); });
  withDirectoryOptions(program.command('rehearse'))
    .description('test a failover: a copy of the newest point (or the one --at picks) started on a target and checked, then discarded; no DNS, directory or lease change; its report is kept with the job')
    .requiredOption('--job <file>', 'the job file')
    .option('--target <name>', 'the target to rehearse on (when the job has several)')
    .option(...AT_OPTION)
    .option('--if-due', 'only when the job\'s rehearsal schedule says one is due (for cron or a systemd timer); runs without asking')
    .option('--apply <plan-id>', 'run exactly the plan with this id (as shown before)')
    .option('--yes', 'run the plan as it is now (consent without review)')
    .option(...USE_KEPT_SECRETS)
    .option(...SSH_SECRET_FILE)
    .action(async (o: RehearseCliOptions) => { process.exitCode = await rehearseCommand(o); });
  program.command('rehearsals')
    .description('the rehearsal reports kept with a job, newest first; --report NAME (or latest) --format html|pdf|json --out FILE writes one')
    .requiredOption('--job <file>', 'the job file')
    .option('--json', 'print the list as JSON')
    .option('--report <name>', 'a report from the list, or latest')
    .option('--format <format>', 'json, html or pdf (default html)')
    .option('--out <file>', 'where to write the report')
    .action(async (o: { job: string; json?: boolean; report?: string; format?: string; out?: string }) => { process.exitCode = await rehearsalsCommand(o); });
  program.command('unprotect')
    .description('stop and remove the agents of a job; the data stays (and the points, unless --purge)')
    .requiredOption('--job <file>', 'the job file')
    .option('--purge', 'also delete every consistency point Failguard made')
    .option('--apply <plan-id>', 'run exactly the plan with this id (as shown before)')
    .option('--yes', 'run the plan as it is now')
    .option(...USE_KEPT_SECRETS)
    .option(...SSH_SECRET_FILE)
    .action(async (o: PlanCliOptions & KeptCliOptions & { purge?: boolean }) => { process.exitCode = await unprotectCommand(o); });
  return program;
}

/** The options every command that reads the directory takes. */
export function withDirectoryOptions(c: Command): Command {
  return c
    .option('--domain <name>', 'the AD domain; its DCs are found through DNS SRV records')
    .option('--dns <address>', 'the DNS server to ask (when it is not this machine\'s resolver)')
    .option('--dc <url>', 'one DC: ldaps://host, or ldap://host for StartTLS')
    .option('--user <name>', 'user@domain, DOMAIN\\user or a DN')
    .option('--password-stdin', 'read the password from standard input')
    .option('--ca <file>', 'a CA certificate (PEM) to trust for the DC')
    .option('--trust <sha256>', 'trust the DC certificate with this SHA-256 fingerprint');
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    process.exitCode = undefined;
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (isHelpOrVersion(e)) return EXIT.ok;
      process.stderr.write(`failguard: ${explainCommanderError(e, 'failguard', program.commands.map((c) => c.name()))}\n`);
      return EXIT.usage;
    }
    const err = toUserError(e);
    process.stderr.write(`failguard: ${err.message}\n`);
    if (err.code === 'cancelled') return EXIT.cancelled;
    return USAGE_CODES.has(err.code) ? EXIT.usage : EXIT.failed;
  }
}
