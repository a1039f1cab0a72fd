/**
 * The Exchange schema subset Failguard reads and writes, as LDIF for Samba.
 * Real OIDs and syntaxes where they are published (../shared/docs/exchange-ad.md);
 * where they are not, an OID from Microsoft's private-schema scheme, derived from a
 * fixed GUID so it never changes between labs. `privateOids` records that mapping.
 */
import { createHash } from 'node:crypto';
import { BASE_DN } from './config.ts';

export const SCHEMA_DN = `CN=Schema,CN=Configuration,${BASE_DN}`;

type Syntax = 'dn' | 'caseIgnore' | 'unicode' | 'int' | 'int64' | 'octet' | 'bool';
const SYNTAX: Record<Syntax, [string, number]> = {
  dn: ['2.5.5.1', 127], caseIgnore: ['2.5.5.4', 20], unicode: ['2.5.5.12', 64], int: ['2.5.5.9', 2],
  int64: ['2.5.5.16', 65], octet: ['2.5.5.10', 4], bool: ['2.5.5.8', 1],
};

interface Attr { name: string; oid?: string; syntax: Syntax; single: boolean; extra?: Record<string, string> }

/** Microsoft's scheme: 1.2.840.113556.1.8000.2554 + a GUID split 4,4,4,4,4,6,6 hex digits, each in decimal. */
export function privateOid(name: string): string {
  const hex = createHash('sha256').update(`failguard-lab:${name}`).digest('hex').slice(0, 32);
  const parts = [4, 4, 4, 4, 4, 6, 6];
  let at = 0;
  return ['1.2.840.113556.1.8000.2554', ...parts.map((n) => { const p = parseInt(hex.slice(at, at + n), 16); at += n; return String(p); })].join('.');
}

export const ATTRIBUTES: readonly Attr[] = [
  { name: 'homeMDB', oid: '1.2.840.113556.1.2.244', syntax: 'dn', single: true, extra: { linkID: '32', searchFlags: '1' } },
  { name: 'homeMDBBL', oid: '1.2.840.113556.1.2.393', syntax: 'dn', single: false, extra: { linkID: '33', systemFlags: '1' } },
  { name: 'homeMTA', oid: '1.2.840.113556.1.2.171', syntax: 'dn', single: true },
  { name: 'msExchHomeServerName', oid: '1.2.840.113556.1.4.7000.102.47', syntax: 'unicode', single: true, extra: { searchFlags: '25' } },
  { name: 'mailNickname', oid: '1.2.840.113556.1.2.447', syntax: 'unicode', single: true, extra: { rangeUpper: '64', searchFlags: '1' } },
  { name: 'msExchMailboxGuid', oid: '1.2.840.113556.1.4.7000.102.11058', syntax: 'octet', single: true, extra: { rangeLower: '16', rangeUpper: '16', searchFlags: '1' } },
  { name: 'msExchRecipientTypeDetails', oid: '1.2.840.113556.1.4.7000.102.50855', syntax: 'int64', single: true },
  { name: 'msExchRecipientDisplayType', oid: '1.2.840.113556.1.4.7000.102.50730', syntax: 'int', single: true },
  { name: 'msExchOwningServer', oid: '1.2.840.113556.1.4.7000.102.11004', syntax: 'dn', single: true },
  { name: 'msExchHomePublicMDB', oid: '1.2.840.113556.1.4.7000.102.11044', syntax: 'dn', single: true },
  { name: 'msExchEDBFile', oid: '1.2.840.113556.1.4.7000.102.11001', syntax: 'caseIgnore', single: true },
  { name: 'msExchSLVFile', oid: '1.2.840.113556.1.4.7000.102.11036', syntax: 'caseIgnore', single: true },
  { name: 'msExchESEParamLogFilePath', oid: '1.2.840.113556.1.4.7000.102.11011', syntax: 'caseIgnore', single: true },
  { name: 'msExchESEParamSystemPath', oid: '1.2.840.113556.1.4.7000.102.11022', syntax: 'caseIgnore', single: true },
  { name: 'msExchESEParamBaseName', oid: '1.2.840.113556.1.4.7000.102.11076', syntax: 'caseIgnore', single: true },
  { name: 'msExchServerRole', oid: '1.2.840.113556.1.4.7000.102.15006', syntax: 'int', single: true },
  { name: 'msExchCurrentServerRoles', syntax: 'int', single: true },
  { name: 'msExchServerSite', syntax: 'dn', single: true },
  { name: 'msExchMDBAvailabilityGroupLink', syntax: 'dn', single: true },
  { name: 'msExchMasterServerOrAvailabilityGroup', syntax: 'dn', single: true },
  { name: 'msExchVersion', syntax: 'int64', single: true },
];

interface Klass { name: string; oid?: string; category: 1 | 2 | 3; subClassOf: string; possSuperiors?: string[]; mayContain?: string[] }

const MDB_ATTRS = ['msExchOwningServer', 'msExchEDBFile', 'msExchSLVFile', 'msExchESEParamLogFilePath', 'msExchESEParamSystemPath',
  'msExchESEParamBaseName', 'msExchMasterServerOrAvailabilityGroup', 'msExchHomePublicMDB', 'msExchVersion', 'legacyExchangeDN'];

/** In dependency order: each class is committed in its own transaction (Samba needs that). */
export const CLASSES: readonly Klass[] = [
  { name: 'msExchBaseClass', oid: '1.2.840.113556.1.5.7000.62.14', category: 3, subClassOf: 'top', mayContain: ['legacyExchangeDN', 'msExchRecipientDisplayType', 'msExchRecipientTypeDetails', 'msExchVersion'] },
  { name: 'msExchMailStorage', oid: '1.2.840.113556.1.5.7000.62.5', category: 3, subClassOf: 'top', mayContain: ['homeMDB', 'homeMTA', 'msExchHomeServerName', 'msExchMailboxGuid', 'mailNickname'] },
  { name: 'msExchOrganizationContainer', oid: '1.2.840.113556.1.5.7000.62.50020', category: 1, subClassOf: 'container', possSuperiors: ['msExchConfigurationContainer'], mayContain: ['legacyExchangeDN', 'msExchVersion'] },
  { name: 'msExchAdminGroupContainer', oid: '1.2.840.113556.1.5.7000.62.50019', category: 1, subClassOf: 'container', possSuperiors: ['msExchOrganizationContainer'] },
  { name: 'msExchAdminGroup', oid: '1.2.840.113556.1.5.7000.62.50011', category: 1, subClassOf: 'top', possSuperiors: ['msExchAdminGroupContainer'], mayContain: ['legacyExchangeDN', 'msExchVersion'] },
  { name: 'msExchServersContainer', oid: '1.2.840.113556.1.5.7000.62.50013', category: 1, subClassOf: 'container', possSuperiors: ['msExchAdminGroup'] },
  { name: 'msExchExchangeServer', oid: '1.2.840.113556.1.5.7000.62.50009', category: 1, subClassOf: 'server', possSuperiors: ['msExchServersContainer'],
    mayContain: ['networkAddress', 'legacyExchangeDN', 'versionNumber', 'serialNumber', 'msExchCurrentServerRoles', 'msExchServerRole', 'msExchServerSite', 'msExchMDBAvailabilityGroupLink', 'msExchVersion'] },
  { name: 'msExchInformationStore', oid: '1.2.840.113556.1.5.7000.62.11001', category: 1, subClassOf: 'top', possSuperiors: ['msExchExchangeServer'] },
  { name: 'msExchStorageGroup', oid: '1.2.840.113556.1.5.7000.62.11006', category: 1, subClassOf: 'container', possSuperiors: ['msExchInformationStore'],
    mayContain: ['msExchESEParamLogFilePath', 'msExchESEParamSystemPath', 'msExchESEParamBaseName'] },
  { name: 'msExchMDBContainer', category: 1, subClassOf: 'container', possSuperiors: ['msExchAdminGroup'] },
  { name: 'msExchMDB', oid: '1.2.840.113556.1.5.7000.62.11002', category: 2, subClassOf: 'top', possSuperiors: ['msExchStorageGroup', 'msExchMDBContainer'], mayContain: MDB_ATTRS },
  { name: 'msExchPrivateMDB', oid: '1.2.840.113556.1.5.7000.62.11004', category: 1, subClassOf: 'msExchMDB' },
  { name: 'msExchPublicMDB', oid: '1.2.840.113556.1.5.7000.62.11005', category: 1, subClassOf: 'msExchMDB' },
  { name: 'msExchMDBAvailabilityGroupContainer', category: 1, subClassOf: 'container', possSuperiors: ['msExchAdminGroup'] },
  { name: 'msExchMDBAvailabilityGroup', category: 1, subClassOf: 'top', possSuperiors: ['msExchMDBAvailabilityGroupContainer'], mayContain: ['msExchVersion'] },
];

export function oidOf(x: { name: string; oid?: string }): string {
  return x.oid ?? privateOid(x.name);
}

/** Every OID this lab invented, for the record (docs and tests). */
export function privateOids(): Record<string, string> {
  return Object.fromEntries([...ATTRIBUTES, ...CLASSES].filter((x) => !x.oid).map((x) => [x.name, privateOid(x.name)]));
}

export function attributesLdif(): string {
  return ATTRIBUTES.map((a) => {
    const [syntax, om] = SYNTAX[a.syntax];
    const lines = [`dn: CN=${a.name},${SCHEMA_DN}`, 'objectClass: top', 'objectClass: attributeSchema', `cn: ${a.name}`,
      `attributeID: ${oidOf(a)}`, `attributeSyntax: ${syntax}`, `oMSyntax: ${om}`, `isSingleValued: ${a.single ? 'TRUE' : 'FALSE'}`,
      `lDAPDisplayName: ${a.name}`];
    if (a.syntax === 'dn') lines.push('oMObjectClass:: KwwCh3McAIVK');
    for (const [k, v] of Object.entries(a.extra ?? {})) lines.push(`${k}: ${v}`);
    return lines.join('\n');
  }).join('\n\n') + '\n';
}

export function classLdif(c: Klass): string {
  const dn = `CN=${c.name},${SCHEMA_DN}`;
  const lines = [`dn: ${dn}`, 'objectClass: top', 'objectClass: classSchema', `cn: ${c.name}`, `governsID: ${oidOf(c)}`,
    `lDAPDisplayName: ${c.name}`, `subClassOf: ${c.subClassOf}`, `objectClassCategory: ${c.category}`, 'rDNAttID: cn',
    `defaultObjectCategory: ${dn}`];
  // As Exchange's own classes: administrators write, every authenticated user reads.
  if (c.category === 1) lines.push('defaultSecurityDescriptor: D:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;EA)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;SY)(A;;RPLCLORC;;;AU)');
  for (const p of c.possSuperiors ?? []) lines.push(`possSuperiors: ${p}`);
  for (const m of c.mayContain ?? []) lines.push(`mayContain: ${m}`);
  return lines.join('\n') + '\n';
}

/** Users carry the Exchange attributes through two auxiliary classes, as in a real forest. */
export function userAuxLdif(): string {
  return [`dn: CN=User,${SCHEMA_DN}`, 'changetype: modify', 'add: auxiliaryClass', 'auxiliaryClass: msExchBaseClass', 'auxiliaryClass: msExchMailStorage', '-', ''].join('\n');
}
