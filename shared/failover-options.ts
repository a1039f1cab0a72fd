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
    z.strictObject({ kind: z.literal('smtp'), host: z.string().min(1), port: z.number().int().min(1).max(65535).default(587), from: z.string().min(3), to: z.array(z.string().min(3)).min(1), username: z.string().optional(), caFile: absolutePath.optional() }),
    z.strictObject({ kind: z.literal('snmp-v2c'), host: z.string().min(1), port: z.number().int().min(1).max(65535).default(162) }),
    z.strictObject({ kind: z.literal('snmp-v3'), host: z.string().min(1), port: z.number().int().min(1).max(65535).default(162), user: z.string().min(1), engineId: z.string().regex(/^[0-9a-fA-F]{10,64}$/, 'not an SNMP engine id (hex)') }),
    z.strictObject({ kind: z.literal('syslog'), host: z.string().min(1), port: z.number().int().min(1).max(65535).default(514), transport: z.enum(['udp', 'tcp']).default('udp') }),
]);

export type JobDnsRecord = z.output<typeof dnsRecordSchema>;
export type JobAlert = z.output<typeof alertReceiverSchema>;

/** Receivers reached over TCP (a connection proves the path); the others are sent UDP datagrams nothing answers. */
export const isTcpReceiver = (r: JobAlert) => r.kind === 'smtp' || (r.kind === 'syslog' && r.transport === 'tcp');
