/**
 * The witness's lease record: which host may serve mail (`active`) and the epoch, raised by
 * each grant. Written whole and fsynced before a grant is answered, so a witness that
 * restarts never forgets a lease it gave. A restarted witness also counts its own start as a
 * contact with the source (see Monitor), so it cannot grant early after a restart.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface LeaseRecord {
  epoch: number;
  /** The host that may accept mail: the source until a failover, the target after it. */
  active: string;
  at: number;
}

export class LeaseStore {
  readonly #file: string;
  #rec: LeaseRecord;
  constructor(dir: string, source: string) {
    this.#file = join(dir, 'lease.json');
    let rec: LeaseRecord | null = null;
    try {
      const r = JSON.parse(readFileSync(this.#file, 'utf8')) as LeaseRecord;
      if (typeof r.epoch === 'number' && typeof r.active === 'string') rec = r;
    } catch { /* first start */ }
    this.#rec = rec ?? { epoch: 0, active: source, at: Date.now() };
  }

  get(): LeaseRecord {
    return { ...this.#rec };
  }

  /** Hands the right to serve to `host` under a new epoch, on disk before it returns. */
  grant(host: string): LeaseRecord {
    const next = { epoch: this.#rec.epoch + 1, active: host, at: Date.now() };
    const tmp = `${this.#file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(next));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.#file);
    this.#rec = next;
    return this.get();
  }
}
