/**
 * What replication must cover on a server: every database file, every log folder and
 * every checkpoint folder of the databases the server owns. Derived from the topology
 * alone, so it is the same in the wizard, the CLI and the reports.
 */
import type { MailboxDatabase, StorageGroup, Topology } from './topology.ts';

export type ProtectedPurpose = 'database' | 'streaming' | 'logs' | 'checkpoint';

export interface ProtectedItem {
  path: string;
  kind: 'file' | 'folder';
  purpose: ProtectedPurpose;
  /** Databases this item serves (a shared log folder serves several). */
  databases: string[];
  /** For log and checkpoint folders: the files that matter there, e.g. `E00*.log`. */
  pattern: string | null;
}

export interface ProtectionSet {
  server: string;
  items: ProtectedItem[];
  /** Facts a person should know, in plain words (DAG copies, no databases, missing paths). */
  notes: string[];
}

const norm = (p: string) => p.replace(/[\\/]+$/, '').toLowerCase();

export function protectionSet(t: Topology, serverName: string): ProtectionSet {
  const server = t.servers.find((s) => s.name.toLowerCase() === serverName.toLowerCase());
  if (!server) return { server: serverName, items: [], notes: [`There is no Exchange server called ${serverName} in this organisation.`] };
  const dbs = t.databases.filter((d) => d.server === server.name);
  const notes: string[] = [];
  if (dbs.length === 0) {
    notes.push(server.roles.includes('mailbox')
      ? (server.dag ? `${server.name} owns no database now: its databases are mounted on other members of ${server.dag}.` : `${server.name} has the Mailbox role but no databases.`)
      : `${server.name} has no Mailbox role, so it holds no databases to replicate.`);
  }
  const items = new Map<string, ProtectedItem>();
  const add = (path: string | null, kind: 'file' | 'folder', purpose: ProtectedPurpose, db: string, pattern: string | null) => {
    if (!path) return;
    const key = `${purpose}|${norm(path)}|${pattern ?? ''}`;
    const existing = items.get(key);
    if (existing) {
      if (!existing.databases.includes(db)) existing.databases.push(db);
    } else {
      items.set(key, { path, kind, purpose, databases: [db], pattern });
    }
  };
  const sgByName = new Map<string, StorageGroup>(t.storageGroups.filter((g) => g.server === server.name).map((g) => [g.name, g]));
  for (const d of dbs) {
    const sg = d.storageGroup ? sgByName.get(d.storageGroup) : undefined;
    const logFolder = d.logFolder ?? sg?.logFolder ?? null;
    const systemFolder = d.systemFolder ?? sg?.systemFolder ?? null;
    const prefix = d.logPrefix ?? sg?.logPrefix ?? null;
    add(d.edbFile, 'file', 'database', d.name, null);
    add(d.streamingFile, 'file', 'streaming', d.name, null);
    add(logFolder, 'folder', 'logs', d.name, prefix ? `${prefix}*.log` : '*.log');
    add(systemFolder, 'folder', 'checkpoint', d.name, prefix ? `${prefix}.chk` : '*.chk');
    for (const missing of missingPaths(d, logFolder, systemFolder)) notes.push(`${d.name}: the directory gives no ${missing}.`);
  }
  if (server.dag && dbs.length > 0) notes.push(`${server.name} is a member of ${server.dag}; only the databases it owns now are listed.`);
  return { server: server.name, items: [...items.values()], notes };
}

function missingPaths(d: MailboxDatabase, logFolder: string | null, systemFolder: string | null): string[] {
  const out: string[] = [];
  if (!d.edbFile) out.push('database file');
  if (!logFolder) out.push('log folder');
  if (!systemFolder) out.push('checkpoint folder');
  return out;
}
