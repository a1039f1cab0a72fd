/**
 * Cold discovery of a large organisation: the lab generates it (not timed), then one
 * discovery with a new connection reads everything, mailbox counts included.
 * Goal: 50 servers and 100,000 mailboxes in under 5 seconds.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { lab } from './lab.ts';
import { discover } from '../../electron/directory/discover.ts';
import { mailboxTotal } from '../../shared/topology.ts';


export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { servers: { type: 'string', default: '50' }, mailboxes: { type: 'string', default: '100000' }, json: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } } });
  const servers = Number(values.servers);
  const mailboxes = Number(values.mailboxes);
  const say = (s: string) => { if (!values.json) process.stdout.write(`${s}\n`); else process.stderr.write(`${s}\n`); };
  const status = JSON.parse(lab('status', '--json')) as { up: boolean; directory: { bindDn: string; passwordFile: string; caFile: string; dnsServer: string }; org: { servers: number; mailboxes: number; style: number } };
  if (!status.up) throw new Error('The lab is down; bring it up with: npm run lab -- up');
  if (status.org.servers !== servers || status.org.mailboxes !== mailboxes || status.org.style !== 2010) {
    say(`generating ${servers} servers and ${mailboxes} mailboxes (not timed)…`);
    const t0 = Date.now();
    lab('org', '--servers', String(servers), '--mailboxes', String(mailboxes), '--version', '2010', '--seed', '1');
    say(`  generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const d = status.directory;
  const request = { target: { kind: 'domain' as const, domain: 'lab.test', dnsServer: d.dnsServer }, credentials: { username: d.bindDn, password: readFileSync(d.passwordFile, 'utf8').trim() }, trust: { caPem: readFileSync(d.caFile, 'utf8') } };
  const started = performance.now();
  const t = await discover(request);
  const seconds = (performance.now() - started) / 1000;
  const found = mailboxTotal(t);
  if (t.servers.length !== servers || found !== mailboxes) throw new Error(`discovery found ${t.servers.length} servers and ${found} mailboxes, expected ${servers} and ${mailboxes}`);
  say(`cold discovery: ${t.servers.length} servers, ${t.databases.length} databases, ${found} mailboxes in ${seconds.toFixed(2)} s (goal: under 5 s)`);
  if (!values.keep) lab('org', '--default');
  process.stdout.write(`${JSON.stringify({ servers: t.servers.length, mailboxes: found, seconds: Number(seconds.toFixed(3)) })}\n`);
}
