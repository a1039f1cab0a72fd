/**
 * SSH connections kept per job for repeated status reads (the dashboard asks every two
 * seconds): reused while in use, closed after a minute unused, and dropped after a failed
 * read so that the next one connects afresh (a host that was restarted has a new session).
 */
import type { Job } from '../../shared/job.ts';
import { SshPool } from '../hosts/ssh-pool.ts';

const IDLE_MS = 60_000;

export class JobPools {
  readonly #pools = new Map<string, { pool: SshPool; timer: NodeJS.Timeout }>();

  get(job: Job): SshPool {
    const key = `${job.id}|${JSON.stringify(job.hostKeys)}`;
    let entry = this.#pools.get(key);
    if (entry) clearTimeout(entry.timer);
    const pool = entry?.pool ?? new SshPool({ pins: job.hostKeys, acceptUnknown: [] });
    const timer = setTimeout(() => void this.#close(key), IDLE_MS);
    timer.unref();
    entry = { pool, timer };
    this.#pools.set(key, entry);
    return pool;
  }

  /** Forget a job's connections (after a failed read). */
  async drop(job: Job): Promise<void> {
    await Promise.all([...this.#pools.keys()].filter((k) => k.startsWith(`${job.id}|`)).map((k) => this.#close(k)));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#pools.keys()].map((k) => this.#close(k)));
  }

  async #close(key: string): Promise<void> {
    const e = this.#pools.get(key);
    if (!e) return;
    this.#pools.delete(key);
    clearTimeout(e.timer);
    await e.pool.closeAll();
  }
}
