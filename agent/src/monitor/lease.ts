/**
 * The witness's lease record: which host may serve mail (`active`) and the epoch, raised by
 * each grant. Written whole to a new file, fsynced, renamed over the old one and the folder
 * fsynced, all before a grant is answered, so a witness that loses power never forgets a lease
 * it gave. A restarted witness also counts its own start as a contact with the source (see
 * Monitor), so it cannot grant early after a restart.
 *
 * It fails closed: a lease file that exists but cannot be read or makes no sense means "no one
 * may serve until a person decides" (`blocked`), never a fresh epoch 0 naming the source; so does a
 * missing file where the history shows grants. Only a first start (no file, no history) begins at
 * epoch 0 (a witness whose whole state folder was lost cannot tell that from a first start). Every grant is also appended to
 * lease-history.jsonl, which unprotect keeps.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDurably } from '../durable.ts';

export interface LeaseRecord {
  epoch: number;
  /** The host that may accept mail: the source until a failover, the target after it; '' while blocked. */
  active: string;
  at: number;
  /** Why no one may serve (the lease file is unreadable or corrupt); a person must decide. */
  blocked?: string;
  /** Granted by the witness to a standby that lost the source (not handed over): only then may the holder have the lease key. */
  failover?: true;
}

/** The lease as found on disk: a record, none yet (first start), or why it cannot be trusted. */
export function readLease(file: string): { rec: LeaseRecord | null; problem: string | null } {
  if (!existsSync(file)) return { rec: null, problem: null };
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<LeaseRecord>;
    if (typeof r.epoch === 'number' && Number.isInteger(r.epoch) && r.epoch >= 0 && typeof r.active === 'string' && r.active && typeof r.at === 'number') return { rec: { epoch: r.epoch, active: r.active, at: r.at, ...(r.failover === true ? { failover: true as const } : {}) }, problem: null };
    return { rec: null, problem: `the witness's lease file ${file} makes no sense` };
  } catch (e) {
    return { rec: null, problem: `the witness's lease file ${file} cannot be read (${(e as Error).message.split('\n')[0]})` };
  }
}

/** The last grant the history shows, in words. */
function lastGrant(file: string): string {
  try {
    const last = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!) as { epoch?: number; active?: string };
    return `its history shows lease ${last.epoch} given to ${last.active}`;
  } catch {
    return 'its history shows grants';
  }
}

export class LeaseStore {
  readonly #file: string;
  readonly #heardFile: string;
  readonly #historyFile: string;
  readonly #heard = new Set<string>();
  #rec: LeaseRecord;
  constructor(dir: string, source: string) {
    this.#file = join(dir, 'lease.json');
    this.#heardFile = join(dir, 'heard.json');
    this.#historyFile = join(dir, 'lease-history.jsonl');
    const found = readLease(this.#file);
    const { rec } = found;
    // No lease file, yet a history of grants: the file was lost, not never written. Starting at epoch 0 would name the
    // old source again while the standby that took over serves.
    const problem = found.problem ?? (!rec && existsSync(this.#historyFile) ? `the witness's lease file ${this.#file} is gone, though ${lastGrant(this.#historyFile)}` : null);
    this.#rec = problem
      ? { epoch: -1, active: '', at: Date.now(), blocked: `${problem}; no server may take mail until a person checks which one holds the newest data and runs a failover or failback from Failguard` }
      : rec ?? { epoch: 0, active: source, at: Date.now() };
  }

  get(): LeaseRecord {
    return { ...this.#rec };
  }

  /** Why no one may serve, or null. */
  get blocked(): string | null {
    return this.#rec.blocked ?? null;
  }

  /**
   * Whether this witness has ever heard `source` since the job was provisioned (kept on disk, so a
   * restart does not forget it). Until it has, no lease is granted: while a job is being provisioned
   * the standbys and the witness start before the source, and that silence is not a lost source.
   */
  everHeard(source: string): boolean {
    if (this.#heard.has(source)) return true;
    try {
      if ((JSON.parse(readFileSync(this.#heardFile, 'utf8')) as string[]).includes(source)) this.#heard.add(source);
    } catch { /* never heard anyone */ }
    return this.#heard.has(source);
  }

  markHeard(source: string): void {
    if (this.everHeard(source)) return;
    this.#heard.add(source);
    writeFileSync(this.#heardFile, JSON.stringify([...this.#heard]), { mode: 0o600 });
  }

  /**
   * Hands the right to serve to `host` under a new epoch, durably on disk before it returns. A blocked lease is never granted.
   * `failover`: a grant to a standby that lost the source (the holder may have the lease key for a while), not a handover.
   */
  grant(host: string, why: string, failover = false): LeaseRecord {
    if (this.#rec.blocked) throw new Error(this.#rec.blocked);
    const next: LeaseRecord = { epoch: this.#rec.epoch + 1, active: host, at: Date.now(), ...(failover ? { failover: true as const } : {}) };
    writeDurably(this.#file, JSON.stringify(next));
    this.#rec = next;
    try {
      appendFileSync(this.#historyFile, `${JSON.stringify({ ...next, why })}\n`, { mode: 0o600 });
    } catch { /* the history is for people; the lease itself is on disk */ }
    return this.get();
  }
}
