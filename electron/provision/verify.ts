/**
 * Verify on demand: the same consistency point on the source and on a target compared
 * file by file (paths, sizes, SHA-256). Read over SSH with one listing script per host;
 * the comparison is pure.
 */
import type { Job } from '../../shared/job.ts';
import { UserError } from '../../shared/errors.ts';
import { SshPool } from '../hosts/ssh-pool.ts';
import { shq } from '../hosts/shell.ts';
import { agentConfig, jobHosts } from './agent-config.ts';
import { hostTargets } from './service.ts';
import { parsePoint } from '../../shared/points.ts';

export interface FileEntry { size: number; sha256: string }
export type Listing = Map<string, FileEntry>;

export interface VerifyDifference { path: string; source: FileEntry | null; target: FileEntry | null }
export interface VerifyResult { target: string; point: string; files: number; bytes: number; differences: VerifyDifference[] }

/** Lists every file of a point: `path<TAB>size<TAB>sha256`, sorted. */
export const listingScript = (dir: string) =>
  `cd ${shq(dir)} && find . -type f -printf '%P\\0' | sort -z | while IFS= read -r -d '' f; do printf '%s\\t%s\\t%s\\n' "$f" "$(stat -c %s -- "$f")" "$(sha256sum -- "$f" | cut -d' ' -f1)"; done`;

export function parseListing(out: string): Listing {
  const m: Listing = new Map();
  for (const line of out.split('\n')) {
    const [path, size, sha] = line.split('\t');
    if (path && size && sha) m.set(path, { size: Number(size), sha256: sha });
  }
  return m;
}

export function compareListings(source: Listing, target: Listing): VerifyDifference[] {
  const out: VerifyDifference[] = [];
  for (const path of [...new Set([...source.keys(), ...target.keys()])].sort()) {
    const a = source.get(path) ?? null;
    const b = target.get(path) ?? null;
    if (!a || !b || a.size !== b.size || a.sha256 !== b.sha256) out.push({ path, source: a, target: b });
  }
  return out;
}

export async function verifyTarget(job: Job, targetName: string, sshSecret?: string): Promise<VerifyResult> {
  const t = job.targets.find((x) => x.name.toLowerCase() === targetName.toLowerCase());
  if (!t) throw new UserError('bad-input', `${targetName} is not a target of this job; the targets are ${job.targets.map((x) => x.name).join(', ')}.`, { field: 'target' });
  const roles = jobHosts(job);
  const src = agentConfig(job, roles.find((h) => h.role === 'source')!);
  const dst = agentConfig(job, roles.find((h) => h.name === t.name)!);
  const hosts = hostTargets(job, sshSecret);
  const pool = new SshPool({ pins: job.hostKeys, acceptUnknown: [] });
  try {
    const [s, d] = await Promise.all([pool.get(hosts.find((h) => h.name === job.source.name)!), pool.get(hosts.find((h) => h.name === t.name)!)]);
    const ls = async (h: typeof s, dir: string) => (await h.exec(`ls -1 ${shq(dir)} 2>/dev/null`, { timeoutMs: 20_000 })).stdout.split('\n').filter((n) => parsePoint(n) !== null);
    // The newest point both hold (the source keeps each target's newest confirmed point).
    const [onSource, onTarget] = await Promise.all([ls(s, src.pointsDir), ls(d, dst.receiveDir)]);
    const point = onTarget.filter((p) => onSource.includes(p)).sort().at(-1);
    if (!point) throw new UserError('no-common-point', `${job.source.name} and ${t.name} hold no point in common yet; wait for replication, then verify again.`);
    const [a, b] = await Promise.all([s.exec(listingScript(`${src.pointsDir}/${point}`), { timeoutMs: 600_000 }), d.exec(listingScript(`${dst.receiveDir}/${point}`), { timeoutMs: 600_000 })]);
    if (a.code !== 0 || b.code !== 0) throw new UserError('verify-failed', `The point ${point} could not be read on ${a.code !== 0 ? job.source.name : t.name} (it may have been pruned just now); verify again.`);
    const source = parseListing(a.stdout);
    return { target: t.name, point, files: source.size, bytes: [...source.values()].reduce((n, f) => n + f.size, 0), differences: compareListings(source, parseListing(b.stdout)) };
  } finally {
    await pool.closeAll();
  }
}
