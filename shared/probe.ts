/** What one probe found: a value, or why it could not be read. Drivers in the back end and the agent both produce these. */
export type Probed<T> = { ok: true; value: T; command: string; raw: string } | { ok: false; error: string; command: string; raw: string };

/** What one host sees of another over the network. */
export interface PathFacts {
  peer: string;
  /** TCP connect to the peer's replication port: refused means the path is open and nothing listens yet. */
  replicationPort: Probed<'open' | 'refused' | 'filtered'>;
  ssh: Probed<'open' | 'refused' | 'filtered'>;
  /** Largest unfragmented ICMP payload that got through (MTU − 28), or null if even small pings failed. */
  pathMtu: Probed<{ mtu: number | null; rttMs: number | null }>;
}
