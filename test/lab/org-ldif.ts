/** Turns a generated organisation into LDIF: configuration objects first, then mailbox users. */
import { createHash } from 'node:crypto';
import { BASE_DN, DNS_DOMAIN, ORG_NAME } from './config.ts';
import { EXCHANGE_DN, MAILBOX_OU, ORG_DN, type LabOrg } from './org.ts';

const entry = (dn: string, attrs: Array<[string, string | number]>) =>
  [`dn: ${dn}`, ...attrs.map(([k, v]) => (k.endsWith('::') ? `${k} ${v}` : `${k}: ${v}`))].join('\n') + '\n\n';

/** The configuration part: organisation, admin groups, servers, storage groups, databases, DAGs. */
export function configLdif(org: LabOrg): string {
  const out: string[] = [];
  const version = org.style === 2007 ? 4535486012416 : org.style === 2010 ? 44220983382016 : 88218628259840;
  out.push(entry(EXCHANGE_DN, [['objectClass', 'msExchConfigurationContainer']]));
  out.push(entry(ORG_DN, [['objectClass', 'msExchOrganizationContainer'], ['legacyExchangeDN', `/o=${ORG_NAME}`], ['msExchVersion', version]]));
  out.push(entry(`CN=Administrative Groups,${ORG_DN}`, [['objectClass', 'msExchAdminGroupContainer']]));
  const agDns = new Map<string, string>();
  for (const ag of org.adminGroups) {
    const dn = `CN=${ag},CN=Administrative Groups,${ORG_DN}`;
    agDns.set(ag, dn);
    out.push(entry(dn, [['objectClass', 'msExchAdminGroup'], ['legacyExchangeDN', `/o=${ORG_NAME}/ou=${ag}`]]));
    out.push(entry(`CN=Servers,${dn}`, [['objectClass', 'msExchServersContainer']]));
    if (org.style !== 2007) out.push(entry(`CN=Databases,${dn}`, [['objectClass', 'msExchMDBContainer']]));
    if (org.style === 2016) out.push(entry(`CN=Database Availability Groups,${dn}`, [['objectClass', 'msExchMDBAvailabilityGroupContainer']]));
  }
  const dagDn = (name: string) => `CN=${name},CN=Database Availability Groups,${agDns.get(org.adminGroups[0]!)}`;
  for (const dag of org.dags) out.push(entry(dagDn(dag.name), [['objectClass', 'msExchMDBAvailabilityGroup']]));
  const byName = new Map(org.servers.map((s) => [s.name, s]));
  for (const s of org.servers) {
    const attrs: Array<[string, string | number]> = [['objectClass', 'msExchExchangeServer'], ['serialNumber', s.serialNumber],
      ['versionNumber', s.versionNumber], ['msExchCurrentServerRoles', s.roles], ['msExchServerSite', s.site],
      ['legacyExchangeDN', s.legacyExchangeDN], ['networkAddress', `ncacn_ip_tcp:${s.fqdn}`], ['networkAddress', `netbios:${s.name}`],
      ['networkAddress', `ncacn_np:${s.name}`], ['networkAddress', `ncalrpc:${s.name}`], ['dNSHostName', s.fqdn], ['msExchVersion', version]];
    if (s.dag) attrs.push(['msExchMDBAvailabilityGroupLink', dagDn(s.dag)]);
    out.push(entry(s.dn, attrs));
    out.push(entry(`CN=InformationStore,${s.dn}`, [['objectClass', 'msExchInformationStore']]));
    const sgs = new Map<string, { log: string; sys: string; prefix: string }>();
    for (const d of org.databases) if (d.server === s.name && d.storageGroup) sgs.set(d.storageGroup, { log: d.logFolder, sys: d.systemFolder, prefix: d.logPrefix });
    for (const [sg, p] of sgs) {
      out.push(entry(`CN=${sg},CN=InformationStore,${s.dn}`, [['objectClass', 'msExchStorageGroup'], ['msExchESEParamLogFilePath', p.log],
        ['msExchESEParamSystemPath', p.sys], ['msExchESEParamBaseName', p.prefix]]));
    }
  }
  for (const d of org.databases) {
    const s = byName.get(d.server)!;
    const attrs: Array<[string, string | number]> = [['objectClass', d.kind === 'mailbox' ? 'msExchPrivateMDB' : 'msExchPublicMDB'],
      ['msExchOwningServer', s.dn], ['msExchEDBFile', d.edbFile], ['legacyExchangeDN', `${s.legacyExchangeDN}/cn=Microsoft ${d.kind === 'mailbox' ? 'Private' : 'Public'} MDB`]];
    // From 2010 on, log settings live on the database itself; in 2007 on its storage group.
    if (!d.storageGroup) attrs.push(['msExchESEParamLogFilePath', d.logFolder], ['msExchESEParamSystemPath', d.systemFolder], ['msExchESEParamBaseName', d.logPrefix]);
    if (org.style !== 2007) attrs.push(['msExchMasterServerOrAvailabilityGroup', s.dag ? dagDn(s.dag) : s.dn]);
    out.push(entry(d.dn, attrs));
  }
  return out.join('');
}

function guid(seed: number, n: number): string {
  return createHash('md5').update(`${seed}:${n}`).digest('base64');
}

/** Mailbox users, in chunks of `chunkSize` users: one per mailbox, homed as the organisation says. The OU leads the first chunk. */
export function* usersLdif(org: LabOrg, chunkSize = 2000): Generator<{ ldif: string; users: number }> {
  const serverByName = new Map(org.servers.map((s) => [s.name, s]));
  let n = 0;
  let chunk: string[] = [entry(MAILBOX_OU, [['objectClass', 'organizationalUnit']])];
  let users = 0;
  for (const d of org.databases) {
    const server = serverByName.get(d.server)!;
    for (let i = 0; i < d.mailboxes; i++) {
      n++;
      const alias = `user${String(n).padStart(6, '0')}`;
      chunk.push(entry(`CN=${alias},${MAILBOX_OU}`, [['objectClass', 'user'], ['sAMAccountName', alias],
        ['userPrincipalName', `${alias}@${DNS_DOMAIN}`], ['displayName', `Lab User ${n}`], ['mail', `${alias}@${DNS_DOMAIN}`],
        ['mailNickname', alias], ['proxyAddresses', `SMTP:${alias}@${DNS_DOMAIN}`], ['homeMDB', d.dn],
        ['msExchHomeServerName', server.legacyExchangeDN], ['legacyExchangeDN', `/o=${ORG_NAME}/ou=${server.adminGroup}/cn=Recipients/cn=${alias}`],
        ['msExchMailboxGuid::', guid(org.seed, n)], ['msExchRecipientTypeDetails', 1], ['msExchRecipientDisplayType', 1073741824],
        ['userAccountControl', 514]]));
      if (++users === chunkSize) {
        yield { ldif: chunk.join(''), users };
        chunk = [];
        users = 0;
      }
    }
  }
  if (chunk.length) yield { ldif: chunk.join(''), users };
}

export const mailboxAlias = (n: number) => `user${String(n).padStart(6, '0')}`;
export { BASE_DN };
