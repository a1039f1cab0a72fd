/**
 * A standby that took over sends on to the job's other standbys, which stay fenced and follow
 * it: it takes points of the data it now serves, beside the points it received from the old
 * source, and ships each to the standbys as a source does, from the newest point both hold. A
 * standby that shares a point with it (the promoted one, or an older one) gets only what changed
 * since; one that shares none gets a full send, and the log says so.
 *
 * It runs only while this host may serve (failed over, the failover's point promoted, the
 * witness naming it), and stops as soon as that ends (a failback stops the agents anyway).
 */
import type { AgentConfig } from './config.ts';
import type { StateFile } from './state.ts';
import type { TlsMaterial } from './peer.ts';
import { Shipper } from './shipper.ts';
import { Snapshotter } from './snapshotter.ts';
import { comparePoints, parsePoint } from '../../shared/points.ts';
import { readPromoted } from './commands.ts';

/** The configuration a standby that took over sends on with: its received points are its points now. */
export function followConfig(c: AgentConfig): AgentConfig {
  return { ...c, pointsDir: c.receiveDir, targets: c.standbys };
}

/** Its own points only (those after the promoted one) may be pruned: the received ones are what failback starts from. */
export function prunableAfter(promoted: string): (name: string) => boolean {
  const p = parsePoint(promoted);
  return (name) => {
    const n = parsePoint(name);
    return !!p && !!n && comparePoints(n, p) > 0;
  };
}

export class Follower {
  readonly #c: AgentConfig;
  readonly #tls: TlsMaterial;
  readonly #st: StateFile;
  readonly #leads: () => boolean;
  #running: { snap: Snapshotter; shippers: Shipper[] } | null = null;
  #timer: NodeJS.Timeout | null = null;

  /** `leads`: whether this host may serve now (the monitor's admission for a target). */
  constructor(c: AgentConfig, tls: TlsMaterial, st: StateFile, leads: () => boolean) {
    this.#c = c;
    this.#tls = tls;
    this.#st = st;
    this.#leads = leads;
  }

  start(): void {
    if (!this.#c.standbys.length) return;
    this.#timer = setInterval(() => void this.check(), 2000);
    void this.check();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#halt();
  }

  async check(): Promise<void> {
    const p = readPromoted(this.#c);
    // Its own points come after the newest it had received (a failover to an older point kept the newer ones, held).
    const promoted = p ? p.newestThen ?? p.point : null;
    const should = promoted !== null && this.#leads();
    if (should && !this.#running) await this.#begin(promoted);
    else if (!should && this.#running) {
      this.#halt();
      this.#st.note({ kind: 'replication', action: 'follow-stop', message: 'this host no longer serves; it stops sending points on to the other standbys' });
    }
  }

  async #begin(promoted: string): Promise<void> {
    const c = followConfig(this.#c);
    const shippers = c.targets.map((t) => new Shipper(c, t, this.#tls, this.#st));
    const snap = new Snapshotter(c, this.#st, () => shippers.forEach((s) => s.poke()), () => shippers.flatMap((s) => s.pinned()), prunableAfter(promoted));
    this.#running = { snap, shippers };
    this.#st.note({ kind: 'replication', action: 'follow-start', message: `${this.#c.host} serves now: it sends its points on to ${c.targets.map((t) => t.name).join(', ')}, from the newest point each shares with it` });
    await snap.start();
    for (const s of shippers) void s.run();
  }

  #halt(): void {
    this.#running?.snap.stop();
    this.#running?.shippers.forEach((s) => s.stop());
    this.#running = null;
  }
}
