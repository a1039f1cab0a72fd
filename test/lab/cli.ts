/**
 * `npm run lab -- <command>`: builds and drives the lab of real machines.
 * Every command is idempotent, says what it did, and fails with one plain sentence.
 */
import { Command, CommanderError, Option } from 'commander';
import { explainCommanderError, isHelpOrVersion } from '../../electron/cli/commander-errors.ts';
import { cut, heal, shape, clearShape, requireHost } from './net.ts';
import { down, freezeOne, killOne, removeOrg, replaceOrg, resetOrg, startOne, status, up } from './lab.ts';
import { linkExists } from './net.ts';
import { BRIDGE } from './config.ts';
import { buildScaleStore, removeScaleStore } from './scale-store.ts';

const program = new Command('lab')
  .description('A lab of real machines for Failguard: Samba AD, mail hosts on btrfs, a witness, alert receivers.')
  .exitOverride()
  .configureOutput({ outputError: () => undefined })
  .showSuggestionAfterError(false);

function requireUp(): void {
  if (!linkExists(BRIDGE)) throw new Error('The lab is down; bring it up with: npm run lab -- up');
}

function printStatus(json: boolean): void {
  const s = status();
  if (json) {
    process.stdout.write(JSON.stringify(s, null, 2) + '\n');
    return;
  }
  const line = (name: string, addr: string, running: boolean, extra = '') => `  ${name.padEnd(9)} ${addr.padEnd(13)} ${running ? 'running' : 'stopped'} ${extra}\n`;
  process.stdout.write(`lab ${s.up ? 'up' : 'down'} (${s.labDir})\n`);
  process.stdout.write(line('dc1', s.directory.address, s.directory.running, `${s.directory.url}  admin ${s.directory.bindDn}  CA ${s.caFile}`));
  for (const h of s.hosts.filter((x) => x.name !== 'dc1')) process.stdout.write(line(h.name, h.address, h.running, `ssh root@${h.address} -i ${h.keyFile}  ${h.hostKeyFingerprint ?? ''}`));
  process.stdout.write(line('receivers', s.receivers.smtp.address, s.receivers.running, `smtp→${s.receivers.smtp.maildir} snmp→${s.receivers.snmp.log} syslog→${s.receivers.syslog.log}`));
  process.stdout.write(`  organisation: ${s.org.servers} servers, ${s.org.mailboxes} mailboxes (Exchange ${s.org.style ?? '-'} style)\n`);
}

program.command('up').description('build or restore the lab, start it, wait until every service answers').action(async () => {
  await up();
  printStatus(false);
});
program.command('down').description('stop everything the lab started and remove its network, mounts and loop devices').action(down);
program.command('status').description('show the lab').option('--json', 'machine-readable output').action((o: { json?: boolean }) => printStatus(!!o.json));

const int = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}; "${v}" is not.`);
  return n;
};
program.command('org').description('replace the Exchange organisation with a generated one (or none, or the default)')
  .option('--servers <n>', 'number of Exchange servers', int('servers', 1, 500))
  .option('--mailboxes <n>', 'number of mailbox users', int('mailboxes', 0, 500_000))
  .option('--empty', 'no Exchange organisation at all')
  .option('--default', 'the lab\'s default organisation (MAIL1, MAIL2, MAIL3, 500 mailboxes)')
  .addOption(new Option('--version <year>', 'Exchange generation').choices(['2007', '2010', '2016']).default('2010'))
  .option('--admin-groups <n>', 'administrative groups', int('admin-groups', 1, 20), 1)
  .option('--seed <n>', 'seed for the generator', int('seed', 0, 2 ** 31), 1)
  .option('--names <list>', 'names of the first servers, comma-separated (then every mailbox is on the first)')
  .option('--databases <n>', 'mailbox databases per server', int('databases', 1, 50))
  .action(async (o: { servers?: number; mailboxes?: number; version: string; adminGroups: number; seed: number; empty?: boolean; default?: boolean; names?: string; databases?: number }) => {
    if (o.empty) {
      await removeOrg();
      process.stdout.write('lab: the directory now has no Exchange organisation\n');
      return;
    }
    if (o.default) {
      await resetOrg();
      process.stdout.write('lab: the default organisation is back\n');
      return;
    }
    if (o.servers === undefined || o.mailboxes === undefined) throw new Error('org needs --servers and --mailboxes (or --empty, or --default).');
    const { seconds, org } = await replaceOrg({ servers: o.servers, mailboxes: o.mailboxes, version: Number(o.version) as 2010, seed: o.seed, adminGroups: o.adminGroups,
      ...(o.names ? { names: o.names.split(',') } : {}), ...(o.databases ? { databasesPerServer: o.databases } : {}) });
    process.stdout.write(`lab: organisation replaced: ${org.servers.length} servers, ${org.databases.length} databases, ${org.mailboxes} mailboxes in ${seconds.toFixed(1)} s\n`);
  });

program.command('cut').argument('<host>').argument('[peer]').description('partition a host from all others, or only from one peer')
  .action((a: string, b?: string) => { requireUp(); console.log(`lab: ${cut(requireHost(a), b ? requireHost(b) : undefined)}`); });
program.command('heal').argument('<host>').argument('[peer]').description('undo cut')
  .action((a: string, b?: string) => { requireUp(); console.log(`lab: ${heal(requireHost(a), b ? requireHost(b) : undefined)}`); });
program.command('shape').argument('<host>').description('shape a host link with tc')
  .option('--rate <rate>', 'for example 100mbit').option('--delay <delay>', 'for example 20ms (needs netem)').option('--clear', 'remove shaping')
  .action((name: string, o: { rate?: string; delay?: string; clear?: boolean }) => {
    requireUp();
    const h = requireHost(name);
    console.log(`lab: ${o.clear ? clearShape(h) : shape(h, o.rate, o.delay)}`);
  });
program.command('scale-store').description('give MAIL1 a Maildir store of many small messages (grows MAIL1\'s and MAIL2\'s volumes first), or remove it')
  .option('--messages <n>', 'messages of about 4 KiB', '1000000').option('--users <n>', 'users they are spread across', '2000').option('--remove', 'delete the store')
  .action((o: { messages: string; users: string; remove?: boolean }) => {
    requireUp();
    if (o.remove) removeScaleStore();
    else buildScaleStore({ messages: Number(o.messages), users: Number(o.users) });
  });
program.command('kill').argument('<host>').description('stop every process of a host at once').action(killOne);
program.command('start').argument('<host>').description('bring a killed host back').action(startOne);
program.command('freeze').argument('<host>').description('stop every process of a host where it is (a hung machine)').action((n: string) => freezeOne(n, true));
program.command('thaw').argument('<host>').description('let a frozen host go on').action((n: string) => freezeOne(n, false));

try {
  if (process.argv.length <= 2) program.help();
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (isHelpOrVersion(e)) process.exit(0);
    process.stderr.write(`lab: ${explainCommanderError(e, 'lab', program.commands.map((c) => c.name()))}\n`);
    process.exit(2);
  }
  process.stderr.write(`lab: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
