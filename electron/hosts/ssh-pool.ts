/** One connection per host, shared by every probe and fix that runs there. */
import type { HostTarget } from '../../shared/hosts.ts';
import { connectHost, type ConnectOptions, type SshHost } from './ssh-connection.ts';

export class SshPool {
  readonly #hosts = new Map<string, Promise<SshHost>>();
  readonly #options: ConnectOptions;
  constructor(options: ConnectOptions) {
    this.#options = options;
  }

  get(target: HostTarget): Promise<SshHost> {
    const key = `${target.user}@${target.address}:${target.port}`;
    let p = this.#hosts.get(key);
    if (!p) {
      p = connectHost(target, this.#options);
      // A failed connection is not cached: the next call tries again.
      p.catch(() => this.#hosts.delete(key));
      this.#hosts.set(key, p);
    }
    return p;
  }

  async closeAll(): Promise<void> {
    const all = [...this.#hosts.values()];
    this.#hosts.clear();
    for (const p of all) (await p.catch(() => null))?.close();
  }
}
