/**
 * All rules on mail1 → mail2 with the witness and the directory: once cold (new SSH and
 * LDAP connections), once warm (SSH connections kept). Goal: warm under 5 s, cold under 10 s.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { PreflightRequest } from '../../shared/preflight.ts';
import { SshPool } from '../../electron/hosts/ssh-pool.ts';
import { runPreflight } from '../../electron/preflight/run.ts';
import { RULES } from '../../electron/preflight/rules/index.ts';

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
  const s = JSON.parse(spawnSync(process.execPath, ['test/lab/cli.ts', 'status', '--json'], { encoding: 'utf8' }).stdout) as {
    up: boolean; directory: { bindDn: string; passwordFile: string; caFile: string; dnsServer: string };
    hosts: Array<{ name: string; address: string; keyFile: string; hostKeyFingerprint: string }>;
  };
  if (!s.up) throw new Error('The lab is down; bring it up with: npm run lab -- up');
  const host = (n: string, name = n.toUpperCase()) => {
    const h = s.hosts.find((x) => x.name === n)!;
    return { name, address: h.address, port: 22, user: 'root', auth: { kind: 'key' as const, keyFile: h.keyFile } };
  };
  const pins = s.hosts.map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint }));
  const req: PreflightRequest = {
    operationId: 'bench', source: host('mail1'), targets: [host('mail2')], witness: host('witness', 'witness'), pins,
    directory: { target: { kind: 'domain', domain: 'lab.test', dnsServer: s.directory.dnsServer }, credentials: { username: s.directory.bindDn, password: readFileSync(s.directory.passwordFile, 'utf8').trim() }, trust: { caPem: readFileSync(s.directory.caFile, 'utf8') } },
  };
  const pool = new SshPool({ pins });
  const time = async () => { const t = performance.now(); const r = await runPreflight(req, { pool }); return { s: (performance.now() - t) / 1000, findings: r.findings.length }; };
  const cold = await time();
  const warm = await time();
  await pool.closeAll();
  const say = (x: string) => (values.json ? process.stderr : process.stdout).write(`${x}\n`);
  say(`${RULES.length} rules, ${cold.findings} findings: cold ${cold.s.toFixed(2)} s (goal < 10 s), warm ${warm.s.toFixed(2)} s (goal < 5 s)`);
  process.stdout.write(`${JSON.stringify({ rules: RULES.length, cold_s: Number(cold.s.toFixed(3)), warm_s: Number(warm.s.toFixed(3)) })}\n`);
}
