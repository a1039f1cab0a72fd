/**
 * The schemas of step 3's failover choices that the pre-flight checks too: DNS records to
 * repoint and alert receivers (never with a secret). The job embeds them; the pre-flight
 * request carries them without depending on the whole job.
 */
import { z } from 'zod';
import { FAILOVER_RECORD_TYPES } from './dns-record.ts';

export const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'not an IP address');
export const absolutePath = z.string().regex(/^\/[^\0]*$/, 'not an absolute path');

/**
 * A path on a protected server (what the job protects): absolute and already normal — no `.` or
 * `..` segment, no doubled or trailing slash — of the characters a path needs (letters, digits,
 * `._-+@`), so it names one place and means the same to a shell, btrfs and a person reading it.
 */
export const serverPath = z.string().max(1024).superRefine((p, ctx) => {
  const say = (message: string) => ctx.addIssue({ code: 'custom', message });
  if (!p.startsWith('/')) return say('not an absolute path; give it from the root, e.g. /srv/mail');
  if (p === '/') return say('is the whole file system; give the folder that holds the mail, e.g. /srv/mail');
  const segments = p.slice(1).split('/');
  if (segments.some((s) => s === '..' || s === '.')) return say('contains "." or ".."; give the folder itself, e.g. /srv/mail');
  if (segments.some((s) => s === '')) return say('has a doubled or trailing "/"; write it as, e.g., /srv/mail');
  const bad = [...p].find((ch) => !/[A-Za-z0-9._+@/-]/.test(ch));
  if (bad !== undefined) say(`contains ${JSON.stringify(bad)}, which Failguard does not allow in a protected path; use letters, digits and . _ - + @ (rename the folder or mount it elsewhere)`);
});

/** A host an alert goes to: a DNS name or an IP address, nothing a shell or a URL could read more into. */
export const hostOrAddress = z.string().max(253).refine((h) => /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/.test(h) || /^[0-9A-Fa-f:.]+$/.test(h) && h.includes(':'),
  'not a host name or an IP address');

/**
 * The name of a server or the witness in a job: it names the host's certificate, files on this
 * computer and parts of directory names, so it is a host name (letters, digits, `-`, `_`, `.`).
 */
export const serverName = z.string().min(1, 'must not be empty').max(63).regex(/^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$/, 'not a server name (letters, digits, - _ and ., as in MAIL1 or mail-2)');

/**
 * A record a failover repoints. Without `server` it lives in an AD-integrated zone and is written
 * over LDAP; with one, it is changed by RFC 2136 updates signed with the TSIG key named here (the
 * key's secret is given when a plan runs, never kept in the job).
 */
export const dnsRecordSchema = z.strictObject({
  zone: z.string().regex(/^[A-Za-z0-9.-]+$/, 'not a zone name'),
  name: z.string().regex(/^(@|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)$/, 'not a record name (a name relative to the zone, or @ for the zone itself)'),
  type: z.enum(FAILOVER_RECORD_TYPES).default('A'),
  server: z.strictObject({
    address: ipv4,
    port: z.number().int().min(1).max(65535).default(53),
    key: z.string().regex(/^[A-Za-z0-9._-]+$/, 'not a TSIG key name'),
    algorithm: z.enum(['hmac-sha256', 'hmac-sha512']).default('hmac-sha256'),
  }).optional(),
  /** Seconds the new record is kept by resolvers (short, so clients follow a failover soon). */
  ttl: z.number().int().min(5, 'at least 5 seconds').max(86_400).default(60),
});

/** Where alerts go: no secret here (given when provisioning, kept in the agents' 0600 configuration only). */
export const alertReceiverSchema = z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('smtp'), host: hostOrAddress, port: z.number().int().min(1).max(65535).default(587), from: z.string().min(3), to: z.array(z.string().min(3)).min(1), username: z.string().optional(), caFile: absolutePath.optional() }),
    z.strictObject({ kind: z.literal('snmp-v2c'), host: hostOrAddress, port: z.number().int().min(1).max(65535).default(162) }),
    z.strictObject({ kind: z.literal('snmp-v3'), host: hostOrAddress, port: z.number().int().min(1).max(65535).default(162), user: z.string().min(1), engineId: z.string().regex(/^[0-9a-fA-F]{10,64}$/, 'not an SNMP engine id (hex)') }),
    z.strictObject({ kind: z.literal('syslog'), host: hostOrAddress, port: z.number().int().min(1).max(65535).default(514), transport: z.enum(['udp', 'tcp']).default('udp') }),
]);

export type JobDnsRecord = z.output<typeof dnsRecordSchema>;
export type JobAlert = z.output<typeof alertReceiverSchema>;

/** Receivers reached over TCP (a connection proves the path); the others are sent UDP datagrams nothing answers. */
export const isTcpReceiver = (r: JobAlert) => r.kind === 'smtp' || (r.kind === 'syslog' && r.transport === 'tcp');
