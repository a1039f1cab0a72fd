/**
 * What a host sees of its peers: TCP to the replication and SSH ports (open, refused or
 * filtered), the largest unfragmented packet and the round trip. Run on the host, one
 * script for all its peers; parsed here into PathFacts.
 */
import type { PathFacts, Probed } from '../../../shared/probe.ts';
import { shellCommand } from '../../../shared/quote.ts';

export interface Peer { name: string; address: string }

// The helpers take their values as arguments, and TCP hands them to the inner bash as arguments too
// ($0, $1), never inside the code it runs.
const TCP = `tcp() { out=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>&1); rc=$?; if [ $rc -eq 0 ]; then echo open; elif [ $rc -eq 124 ]; then echo filtered; elif printf %s "$out" | grep -qi refused; then echo refused; else echo filtered; fi; }`;
const MTU = `mtu() { dev=$(ip route get "$1" 2>/dev/null | grep -o 'dev [^ ]*' | cut -d' ' -f2); m=$(cat "/sys/class/net/$dev/mtu" 2>/dev/null || echo 1500); if ping -M do -s $((m-28)) -c 1 -W 2 "$1" >/dev/null 2>&1; then echo $m; elif ping -c 1 -W 2 "$1" >/dev/null 2>&1; then for s in 1472 1452 1400 1372 1280 1200 1000 576; do [ $s -lt $((m-28)) ] && ping -M do -s $s -c 1 -W 2 "$1" >/dev/null 2>&1 && { echo $((s+28)); return; }; done; echo 0; else echo none; fi; }`;
const RTT = `rtt() { ping -c 3 -i 0.2 -W 1 "$1" 2>/dev/null | sed -n 's|.*= [0-9.]*/\\([0-9.]*\\)/.*|\\1|p'; }`;

/**
 * The script, run with `bash -s`: its values (the port, the DC, each peer's address) are its
 * positional arguments, set by one quoted `set --`; the code below never holds a value. Output
 * rows name a peer by its index, so no name is ever printed or parsed back.
 */
export function pathProbeScript(peers: readonly Peer[], replicationPort: number, dc?: string): string {
  const args = [String(replicationPort), dc ?? '', ...peers.map((p) => p.address)];
  const body = `port=$1; dc=$2; shift 2; i=0
for addr in "$@"; do
  printf '%s\\t%s\\t%s\\n' "$i" replication "$(tcp "$addr" "$port")"
  printf '%s\\t%s\\t%s\\n' "$i" ssh "$(tcp "$addr" 22)"
  printf '%s\\t%s\\t%s\\n' "$i" mtu "$(mtu "$addr")"
  printf '%s\\t%s\\t%s\\n' "$i" rtt "$(rtt "$addr")"
  i=$((i + 1))
done
if [ -n "$dc" ]; then printf '%s\\t%s\\t%s\\n' __dc__ ldaps "$(tcp "$dc" 636)"; fi`;
  return [TCP, MTU, RTT, `set -- ${shellCommand(args)}`, body].join('\n') + '\n';
}

const tcpState = (v: string | undefined): 'open' | 'refused' | 'filtered' | null => (v === 'open' || v === 'refused' || v === 'filtered' ? v : null);

function probedOf<T>(value: T | null, command: string, raw: string): Probed<T> {
  return value === null ? { ok: false, error: `unexpected output "${raw}"`, command, raw } : { ok: true, value, command, raw };
}

export function parsePathProbe(stdout: string, peers: readonly Peer[], replicationPort: number): { paths: PathFacts[]; dc?: Probed<'open' | 'refused' | 'filtered'> } {
  const rows = stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
  const get = (peer: string, kind: string) => rows.find((r) => r[0] === peer && r[1] === kind)?.[2]?.trim();
  const paths = peers.map((p, i): PathFacts => {
    const row = (kind: string) => get(String(i), kind);
    const mtu = row('mtu');
    const rtt = row('rtt');
    return {
      peer: p.name,
      replicationPort: probedOf(tcpState(row('replication')), `TCP connect to ${p.address}:${replicationPort}`, row('replication') ?? ''),
      ssh: probedOf(tcpState(row('ssh')), `TCP connect to ${p.address}:22`, row('ssh') ?? ''),
      pathMtu: mtu === undefined ? { ok: false, error: 'no answer', command: `ping -M do ${p.address}`, raw: '' }
        : { ok: true, value: { mtu: mtu === 'none' ? null : Number(mtu), rttMs: rtt ? Number(rtt) : null }, command: `ping -M do -s <mtu-28> ${p.address}; ping -c 3 ${p.address}`, raw: `${mtu} ${rtt ?? ''}` },
    };
  });
  const dcRaw = get('__dc__', 'ldaps');
  return { paths, ...(dcRaw !== undefined ? { dc: probedOf(tcpState(dcRaw), 'TCP connect to the DC on 636', dcRaw) } : {}) };
}
