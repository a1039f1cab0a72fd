/** Everything the rules judge: gathered first (probes), judged after (pure rules). */
import type { HostRole } from '../../shared/preflight.ts';
import type { Topology } from '../../shared/topology.ts';
import type { LinuxFacts } from '../hosts/linux/facts.ts';
import type { PathFacts, Probed } from '../../shared/probe.ts';
import type { WindowsFacts } from '../hosts/windows/facts.ts';
import type { JobAlert, JobDnsRecord } from '../../shared/job.ts';

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
  /** What step 3's choices need of this host (mail hosts, when the request carries them). */
  choices?: HostChoiceFacts;
}

/** Per chosen service: how this host knows it (a systemd unit, or a command the agent knows), or missing. */
export interface HostChoiceFacts {
  services: Record<string, Probed<'unit' | 'command' | 'missing'>>;
  /** Per alert receiver, in the job's order: TCP open (with the first line it sent) or not; UDP: whether a route leads there. */
  receivers: Array<Probed<{ state: 'open' | 'refused' | 'filtered' | 'route' | 'no-route'; banner: string }>>;
}

/** One DNS record chosen for failover, as its server has it now. */
export interface DnsChoiceFacts {
  record: JobDnsRecord;
  values: Probed<string[]>;
  /** The TTL resolvers keep it now, in seconds (null when there is no record). */
  ttl: number | null;
  /** AD-integrated records: whether the account may write the record (or create it). Null for records elsewhere. */
  writable: Probed<boolean> | null;
  /** Records elsewhere: a signed update that changes nothing, sent with the key (accepted, or the server's refusal in words); null for AD records or without the secret. */
  keyTest: Probed<{ accepted: boolean; answer: string }> | null;
}

export interface ChoiceFacts {
  services: string[];
  alerts: JobAlert[];
  dns: DnsChoiceFacts[];
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
  /** Step 3's choices (DNS records, services, alert receivers), when the request carries them. */
  choices: ChoiceFacts | null;
}

export function allHosts(f: PreflightFacts): HostFacts[] {
  return [f.source, ...f.targets, ...(f.witness ? [f.witness] : [])];
}
