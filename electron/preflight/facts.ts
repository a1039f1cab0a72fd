/** Everything the rules judge: gathered first (probes), judged after (pure rules). */
import type { HostRole } from '../../shared/preflight.ts';
import type { Topology } from '../../shared/topology.ts';
import type { LinuxFacts } from '../hosts/linux/facts.ts';
import type { PathFacts, Probed } from '../../shared/probe.ts';
import type { WindowsFacts } from '../hosts/windows/facts.ts';

export type Reach = { ok: true; hostKey: string } | { ok: false; code: string; error: string };

export interface HostFacts {
  role: HostRole;
  /** The name in the directory (MAIL1) or as given. */
  name: string;
  address: string;
  reach: Reach;
  /** The host answered SSH, but its probe failed or took too long: every check of it is an "error", in this sentence. */
  probeError?: string;
  linux?: LinuxFacts;
  /** Windows + Exchange hosts (not run live: tested on recorded outputs). */
  windows?: WindowsFacts;
  /** From this host towards the source (targets, witness) or the targets (witness). */
  paths: PathFacts[];
  /** The DC as seen from this host (TCP 636). */
  dcPath?: Probed<'open' | 'refused' | 'filtered'>;
}

export interface DnsFacts {
  /** Per host name: A records as the DC's DNS answers, and the PTR of its address. */
  forward: Record<string, Probed<string[]>>;
  reverse: Record<string, Probed<string | null>>;
  /** The name clients use (mail.<domain>) and the MX of the domain. */
  clientName: string;
  clientA: Probed<string[]>;
  mx: Probed<string[]>;
}

export interface DirectoryFacts {
  dnsDomain: string;
  dcAddress: string;
  topology: Probed<Topology>;
  dns: DnsFacts;
}

export interface PreflightFacts {
  /** The controller's clock when the probes ran (seconds since 1970). */
  controllerClock: number;
  /** Replication port the agent will listen on. */
  replicationPort: number;
  source: HostFacts;
  targets: HostFacts[];
  witness: HostFacts | null;
  directory: DirectoryFacts | null;
}

export function allHosts(f: PreflightFacts): HostFacts[] {
  return [f.source, ...f.targets, ...(f.witness ? [f.witness] : [])];
}
