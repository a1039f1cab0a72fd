/**
 * The witness's lease record: which host may serve mail (`active`) and the epoch, raised by
 * each grant. Written whole and fsynced before a grant is answered, so a witness that
 * restarts never forgets a lease it gave. A restarted witness also counts its own start as a
 * contact with the source (see Monitor), so it cannot grant early after a restart.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface LeaseRecord {
  epoch: number;
  /** The host that may accept mail: the source until a failover, the target after it. */
  active: string;
  at: number;
}

export class LeaseStore {
  readonly #file: string;
  readonly #heardFile: string;
  readonly #heard = new Set<string>();
  #rec: LeaseRecord;
  constructor(dir: string, source: string) {
    this.#file = join(dir, 'lease.json');
    this.#heardFile = join(dir, 'heard.json');
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
