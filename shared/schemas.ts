/**
 * Schemas of everything that crosses a transport (IPC, `serve`'s HTTP) and, next, of the
 * job file: untrusted input is parsed here, never cast. Each schema is checked against its
 * TypeScript type, so the two cannot drift.
 */
import { z } from 'zod';
import { canonicalIpv6 } from './dns-record.ts';
import { ipv4 } from './failover-options.ts';
import type { DiscoverRequest } from './directory.ts';
import type { HostTarget } from './hosts.ts';
import type { PreflightReport, PreflightRunRequest, ReportFormat } from './preflight.ts';
import type { MethodName, RequestOf } from './contract.ts';

const text = (max = 4096) => z.string().max(max);
const jobId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'not a job id');
const name = z.string().min(1, 'must not be empty').max(255);
const port = z.number().int().min(1).max(65535);
const operationId = z.string().min(1, 'must not be empty').max(200);
const fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'not an SSH fingerprint (SHA256:…)');

/** The DNS server to ask (it also becomes a probe's target and a resolver line): an IP address, nothing else. */
const dnsServer = z.string().max(64).refine((v) => v === '' || ipv4.safeParse(v).success || canonicalIpv6(v) !== null, 'not an IP address (give the DNS server\'s address, e.g. 198.18.0.10)');

export const directoryTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('domain'), domain: name, dnsServer: dnsServer.optional() }),
  z.strictObject({ kind: z.literal('url'), url: name, dnsServer: dnsServer.optional() }),
]);

const pinnedCertificate = z.strictObject({ fingerprint256: text(200), pem: text(65536), subject: text(2048) });

export const directoryRequestSchema = z.strictObject({
  target: directoryTargetSchema,
  credentials: z.strictObject({ username: text(1024), password: text(1024), savedFor: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'not a job id').optional() }),
  trust: z.strictObject({ caPem: text(262144).optional(), pinned: z.array(pinnedCertificate).max(20).optional() }).optional(),
});

export const discoverRequestSchema = directoryRequestSchema.extend({ operationId }) satisfies z.ZodType<DiscoverRequest>;

export const sshAuthSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('key'), keyFile: name.max(4096), passphrase: text(1024).optional() }),
  z.strictObject({ kind: z.literal('agent'), socket: text(4096).optional() }),
  z.strictObject({ kind: z.literal('password'), password: text(1024) }),
]);

export const hostTargetSchema = z.strictObject({ name, address: name, port, user: name, auth: sshAuthSchema }) satisfies z.ZodType<HostTarget>;

export const hostKeyPinSchema = z.strictObject({ host: name, port, algorithm: text(100), fingerprint });

export const preflightRunRequestSchema = z.strictObject({
  operationId,
  source: hostTargetSchema,
  targets: z.array(hostTargetSchema).min(1, 'choose at least one target').max(16),
  witness: hostTargetSchema.optional(),
  directory: directoryRequestSchema.optional(),
  pins: z.array(hostKeyPinSchema).max(100),
  acceptHostKeys: z.array(fingerprint).max(100).optional(),
  replicationPort: port.optional(),
  interrupted: z.enum(['resume', 'rollback']).optional(),
  consent: z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/, 'not a plan id')).max(500).optional(),
  sshSecretFor: jobId.optional(),
}) satisfies z.ZodType<PreflightRunRequest>;

export const reportFormatSchema = z.enum(['html', 'pdf', 'json', 'junit']) satisfies z.ZodType<ReportFormat>;

const outcome = z.enum(['pass', 'warning', 'failure', 'error', 'not-applicable']);
const evidence = z.object({ label: text(), value: text(65536), source: text().optional() });
const stepRecord = z.object({ index: z.number().int(), where: text(), action: text(65536), status: z.enum(['applied', 'failed', 'undone', 'undo-failed', 'verified-earlier']), output: text(65536), at: text(64) });

/** A report sent back to be rendered: the shape every format reads, so a malformed one is refused, not half drawn. */
export const reportSchema = z.object({
  schema: z.literal('failguard.preflight/1'),
  tool: z.object({ name: z.literal('Failguard'), version: text(64) }),
  startedAt: text(64),
  finishedAt: text(64),
  environment: z.object({ source: text(), targets: z.array(text()), witness: text().nullable(), directory: text().nullable(), controller: text() }),
  rules: z.array(z.object({ id: name, title: text(), category: text(64), platform: text(64), severity: z.enum(['error', 'warning', 'info']), rationale: text(), resolution: text(), fixable: z.boolean(), fixKind: z.enum(['safe', 'confirm', 'manual']) })).max(1000),
  findings: z.array(z.object({ ruleId: name, outcome, host: text(255).optional(), message: text(65536), evidence: z.array(evidence).max(100) })).max(100000),
  fixes: z.array(z.object({ plan: z.object({ ruleId: name, title: text() }).passthrough(), planId: text(), title: text(), outcome: z.enum(['applied', 'undone', 'stopped', 'refused', 'cancelled']), error: text(65536).optional(), steps: z.array(stepRecord), recheck: outcome.nullable() })).max(1000),
  acceptedWarnings: z.array(z.object({ ruleId: name, host: text(255).optional(), by: text(1024), at: text(64) })).max(100000),
  summary: z.record(outcome, z.number().int().min(0)),
  worst: outcome,
});

const empty = z.strictObject({});

/** One schema per contract method: the request is parsed by it before the handler sees it. */
const dnsSecrets = z.record(z.string().regex(/^[A-Za-z0-9._-]+$/, 'not a TSIG key name'), z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'not a base64 secret'));
const alertSecrets = z.strictObject({ smtpPassword: text(1024).optional(), snmpCommunity: text(1024).optional(), snmpAuthKey: text(1024).optional(), snmpPrivKey: text(1024).optional() });
const failoverPlanRequestSchema = z.strictObject({ operationId, jobId, action: z.enum(['failover', 'switchover', 'failback', 'rehearsal', 'release']), target: text(255).optional(), directory: directoryRequestSchema.optional(), dnsSecrets: dnsSecrets.optional(),
  point: z.string().regex(/^p\d{10}-\d{13}$/, 'not a point\'s name').optional() });
/** Step 4's requests: the job (checked whole by the job schema in the handler, so its errors name the job's own fields) and the secrets provisioning needs. */
const protectRequest = { operationId, job: z.record(z.string(), z.unknown()), directory: directoryRequestSchema.optional(), alertSecrets: alertSecrets.optional(), dnsSecrets: dnsSecrets.optional(), sshSecret: text(1024).optional() };

export const REQUEST_SCHEMAS: { [M in MethodName]: z.ZodType<RequestOf<M>> } = {
  'app.info': empty,
  'directory.discover': discoverRequestSchema,
  'preflight.rules': empty,
  'preflight.run': preflightRunRequestSchema,
  'preflight.report': z.strictObject({ report: reportSchema as unknown as z.ZodType<PreflightReport>, format: reportFormatSchema }),
  'operation.cancel': z.strictObject({ operationId }),
  'protect.plan': z.strictObject(protectRequest) as unknown as z.ZodType<RequestOf<'protect.plan'>>,
  'protect.apply': z.strictObject({ ...protectRequest, consent: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'not a plan id') }) as unknown as z.ZodType<RequestOf<'protect.apply'>>,
  'failover.plan': failoverPlanRequestSchema,
  'failover.apply': failoverPlanRequestSchema.extend({ consent: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'not a plan id') }),
  'jobs.list': empty,
  'jobs.opened': z.strictObject({ jobId }),
  'jobs.points': z.strictObject({ jobId }),
  'jobs.rehearsals': z.strictObject({ jobId }),
  'jobs.rehearsalReport': z.strictObject({ jobId, name: z.string().regex(/^\d{4}-\d\d-\d\dT[\d-]+Z-[A-Za-z0-9_-]+$/, 'not a rehearsal report name').max(120), format: z.enum(['json', 'html', 'pdf']) }),
  'jobs.status': z.strictObject({ jobId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'not a job id') }),
};

/** A zod issue's path as people read it: `targets[0].address`. */
export function issueField(issue: z.core.$ZodIssue): string {
  const path = [...issue.path, ...(issue.code === 'unrecognized_keys' && issue.keys[0] ? [issue.keys[0]] : [])];
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '') || '(request)';
}

/** The first problem as `field.path: what is wrong`, for a `bad-request` error that names the field. */
export function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0]!;
  // The sentence names where the problem is (the object holding an unknown field); the field is the one to point at.
  const where = issueField(issue.code === 'unrecognized_keys' ? { ...issue, keys: [] } : issue);
  const what = issue.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'is missing'
    : issue.code === 'unrecognized_keys' ? `has a field it does not know (${issue.keys.join(', ')})`
      : issue.message.replace(/^Invalid input: /, '').replace(/^Too big: expected (\w+) to have <=?(\d+) .*$/, 'is too long (at most $2)');
  return { field: issueField(issue), message: `${where}: ${what}` };
}
