/**
 * Storage Replica's status (the output of `statusScript()`) as the dashboard's terms: per
 * destination group, its phase, the bytes still to copy, the share done and the RPO (the
 * age of the oldest replica's last in-sync time). Not run live: tested on the samples in
 * test/fixtures/storage-replica.
 */
import { parseCliXml, type CliValue } from '../../hosts/windows/clixml.ts';
import { splitWindowsSections } from '../../hosts/windows/facts.ts';
import type { TargetPhase } from '../../../shared/replication.ts';

export interface SrReplica { volume: string; status: string; remainingBytes: number; sizeBytes: number; lastInSync: number | null }
export interface SrGroupStatus { computer: string; name: string; primary: boolean; status: string; replicas: SrReplica[] }
export interface SrTargetStatus { computer: string; group: string; phase: TargetPhase; share: number | null; remainingBytes: number; rpoSeconds: number | null; volumes: SrReplica[] }

type Obj = Record<string, CliValue>;
const obj = (v: CliValue | undefined): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
/** An enum arrives as { name, value }; a bare number or string is taken as it is. */
const enumName = (v: CliValue | undefined): string => (typeof v === 'string' ? v : typeof obj(v).name === 'string' ? String(obj(v).name) : String(v ?? 'Unknown'));
const num = (v: CliValue | undefined) => (typeof v === 'number' ? v : Number(v ?? 0));
const time = (v: CliValue | undefined) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : null);
const items = (v: CliValue | undefined): CliValue[] => (Array.isArray(v) ? v : Array.isArray(obj(v)._items) ? (obj(v)._items as CliValue[]) : v === undefined || v === null ? [] : [v]);

const PHASE: Record<string, TargetPhase> = {
  InitialBlockCopy: 'initial-sync', ContinuouslyReplicating: 'replicating', Failed: 'error', Suspended: 'error',
  WaitingForDestination: 'connecting', NotInPartnership: 'no-agent', TargetRecovering: 'connecting',
};

export function parseSrGroups(stdout: string): { ok: true; groups: SrGroupStatus[] } | { ok: false; error: string } {
  const s = splitWindowsSections(stdout).get('GetSRGroup');
  if (!s) return { ok: false, error: 'the status script gave no Storage Replica section' };
  if (s.rc !== 0) return { ok: false, error: /not recognized/.test(s.text) ? 'Storage Replica is not installed on this server (Install-WindowsFeature Storage-Replica).' : s.text.split('\n')[0]! };
  const top = parseCliXml(s.text);
  const list = top.length === 1 && Array.isArray(top[0]) ? (top[0] as CliValue[]) : top;
  return {
    ok: true,
    groups: list.map((g0) => {
      const g = obj(g0);
      return {
        computer: String(g.ComputerName ?? ''), name: String(g.Name ?? ''), primary: g.IsPrimary === true, status: enumName(g.ReplicationStatus),
        replicas: items(g.Replicas).map((r0) => {
          const r = obj(r0);
          return { volume: String(r.DataVolume ?? '').replace(/\\$/, ''), status: enumName(r.ReplicationStatus), remainingBytes: num(r.NumOfBytesRemaining), sizeBytes: num(r.PartitionSize), lastInSync: time(r.LastInSyncTime) };
        }),
      };
    }),
  };
}

/** The destination groups' status; the phase is the worst of its volumes (one failing volume fails the group). */
export function srTargetStatus(groups: readonly SrGroupStatus[], now: number): SrTargetStatus[] {
  const order: TargetPhase[] = ['replicating', 'initial-sync', 'connecting', 'no-agent', 'error'];
  return groups.filter((g) => !g.primary).map((g) => {
    const phases = g.replicas.map((r) => PHASE[r.status] ?? 'connecting');
    const phase = phases.reduce<TargetPhase>((worst, p) => (order.indexOf(p) > order.indexOf(worst) ? p : worst), PHASE[g.status] ?? 'connecting');
    const size = g.replicas.reduce((n, r) => n + r.sizeBytes, 0);
    const remaining = g.replicas.reduce((n, r) => n + r.remainingBytes, 0);
    const inSync = g.replicas.map((r) => r.lastInSync);
    const oldest = inSync.some((t) => t === null) ? null : Math.min(...(inSync as number[]));
    return {
      computer: g.computer, group: g.name, phase, remainingBytes: remaining, volumes: g.replicas,
      share: phase === 'initial-sync' && size > 0 ? (size - remaining) / size : null,
      rpoSeconds: oldest === null || phase === 'initial-sync' ? null : Math.max(0, (now - oldest) / 1000),
    };
  });
}
