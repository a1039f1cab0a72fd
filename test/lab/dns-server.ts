/**
 * The lab's second DNS server: BIND 9 on recv, authoritative for the public zone example.test,
 * as an ISP's or a DMZ's server would be. Only RFC 2136 updates signed with the lab's TSIG key
 * may change it; a second key is known to BIND but granted nothing (for the refused case).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { paths, type HostSpec } from './config.ts';

export const EXT_ZONE = 'example.test';
export const TSIG_KEY = 'failguard-update';
export const TSIG_DENIED_KEY = 'failguard-readonly';
export const TSIG_ALGORITHM = 'hmac-sha256';
export const tsigSecretsFile = join(paths.secrets, 'dns-tsig.json');
export const namedDir = () => join(paths.host('recv'), 'named');
export const namedConfFile = () => join(namedDir(), 'named.conf');

/** Key name → base64 secret, the format `failguard failover --dns-secrets` reads. */
export function ensureTsigSecrets(): Record<string, string> {
  if (!existsSync(tsigSecretsFile)) {
    const s = { [TSIG_KEY]: randomBytes(32).toString('base64'), [TSIG_DENIED_KEY]: randomBytes(32).toString('base64') };
    writeFileSync(tsigSecretsFile, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  }
  return JSON.parse(readFileSync(tsigSecretsFile, 'utf8')) as Record<string, string>;
}

function namedConf(h: HostSpec, dir: string, secrets: Record<string, string>): string {
  const key = (name: string) => `key "${name}" { algorithm ${TSIG_ALGORITHM}; secret "${secrets[name]}"; };`;
  return `${key(TSIG_KEY)}
${key(TSIG_DENIED_KEY)}
options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  listen-on port 53 { ${h.address}; };
  listen-on-v6 { none; };
  recursion no;
  notify no;
  dnssec-validation no;
};
logging { channel main { file "${dir}/named.log"; severity info; print-time yes; }; category default { main; }; category update { main; }; category security { main; }; };
zone "${EXT_ZONE}" {
  type primary;
  file "${dir}/${EXT_ZONE}.zone";
  update-policy { grant ${TSIG_KEY} zonesub ANY; };
};
`;
}

/** The public face of the lab's mail: names outside AD that point at MAIL1 until a failover. */
function zoneFile(h: HostSpec): string {
  return `$TTL 300
@ IN SOA ns.${EXT_ZONE}. hostmaster.${EXT_ZONE}. 1 3600 600 86400 60
@ IN NS ns.${EXT_ZONE}.
ns IN A ${h.address}
@ IN MX 10 mail1.lab.test.
mail IN A 198.18.0.11
webmail IN CNAME mail1.lab.test.
_submission._tcp IN SRV 0 100 587 mail1.lab.test.
`;
}

/** A fresh zone each time the lab comes up (updates from an earlier run are in the journal, which goes too). */
export function prepareNamed(h: HostSpec): void {
  const dir = namedDir();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(namedConfFile(), namedConf(h, dir, ensureTsigSecrets()), { mode: 0o600 });
  writeFileSync(join(dir, `${EXT_ZONE}.zone`), zoneFile(h));
}
