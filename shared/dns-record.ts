/**
 * DNS records as plans and jobs carry them: a type and its value in presentation form
 * ("198.18.0.12", "10 mail2.lab.test", "0 100 25 mail2.lab.test"), parsed and compared
 * the same way wherever they are read (AD's dnsRecord values, RFC 2136 answers, the job).
 */

/** A record's full name from its zone and its name in the zone ('@': the zone itself), lower case. */
export const fqdnOf = (zone: string, name: string) => (name === '@' ? zone : `${name}.${zone}`).replace(/\.$/, '').toLowerCase();

/** The types a failover can repoint (and PTR, which the pre-flight's fixes write). */
export type DnsRecordType = 'A' | 'AAAA' | 'CNAME' | 'MX' | 'SRV' | 'PTR';
export const FAILOVER_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'SRV'] as const;
export type FailoverRecordType = (typeof FAILOVER_RECORD_TYPES)[number];

export type RecordValue =
  | { type: 'A' | 'AAAA'; address: string }
  | { type: 'CNAME' | 'PTR'; target: string }
  | { type: 'MX'; preference: number; exchange: string }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string };

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*$/;
const u16 = (s: string | undefined) => (s !== undefined && /^\d{1,5}$/.test(s) && Number(s) <= 65535 ? Number(s) : null);
const name = (s: string | undefined) => {
  const n = (s ?? '').replace(/\.$/, '').toLowerCase();
  return HOST_NAME.test(n) ? n : null;
};

/** IPv6 in its one canonical text form (RFC 5952), or null when it is not an IPv6 address. */
export function canonicalIpv6(s: string): string | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || (s.match(/::/g) ?? []).length > 1) return null;
  const [head, tail] = s.includes('::') ? s.split('::') as [string, string] : [s, null];
  const parts = (x: string) => (x ? x.split(':') : []);
  const h = parts(head);
  const t = tail === null ? [] : parts(tail);
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return null;
  const nums = groups.map((g) => parseInt(g, 16));
  // The longest run of two or more zero groups becomes "::".
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (nums[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && nums[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = nums.map((n) => n.toString(16));
  return best < 0 ? hex.join(':') : `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

const ipv4 = (s: string) => (/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(s) ? s : null);

/** Parses a value in presentation form; the string is a plain sentence saying what is wrong. */
export function parseRecordValue(type: DnsRecordType, text: string): RecordValue | string {
  const f = text.trim().split(/\s+/);
  switch (type) {
    case 'A': { const a = ipv4(text.trim()); return a ? { type, address: a } : `"${text}" is not an IPv4 address`; }
    case 'AAAA': { const a = canonicalIpv6(text.trim()); return a ? { type, address: a } : `"${text}" is not an IPv6 address`; }
    case 'CNAME': case 'PTR': { const t = f.length === 1 ? name(f[0]) : null; return t ? { type, target: t } : `"${text}" is not a host name`; }
    case 'MX': {
      const [p, x] = [u16(f[0]), name(f[1])];
      return f.length === 2 && p !== null && x ? { type, preference: p, exchange: x } : `"${text}" is not an MX value (preference and host name, e.g. "10 mail.example.com")`;
    }
    case 'SRV': {
      const [p, w, port, t] = [u16(f[0]), u16(f[1]), u16(f[2]), name(f[3])];
      return f.length === 4 && p !== null && w !== null && port !== null && t ? { type, priority: p, weight: w, port, target: t } : `"${text}" is not an SRV value (priority, weight, port and host name, e.g. "0 100 25 mail.example.com")`;
    }
  }
}

export function formatRecordValue(v: RecordValue): string {
  switch (v.type) {
    case 'A': case 'AAAA': return v.address;
    case 'CNAME': case 'PTR': return v.target;
    case 'MX': return `${v.preference} ${v.exchange}`;
    case 'SRV': return `${v.priority} ${v.weight} ${v.port} ${v.target}`;
  }
}

/** The canonical text of a value (lower-case names, no final dot, canonical IPv6), or the text as given when it does not parse. */
export function normalRecordValue(type: DnsRecordType, text: string): string {
  const v = parseRecordValue(type, text);
  return typeof v === 'string' ? text.trim() : formatRecordValue(v);
}

/** Whether two sets of values are the same records (order and spelling aside). */
export function sameRecordValues(type: DnsRecordType, a: string[], b: string[]): boolean {
  const n = (xs: string[]) => [...new Set(xs.map((x) => normalRecordValue(type, x)))].sort().join('\n');
  return n(a) === n(b);
}

/** A server a record is pointed at: its address (and IPv6 address, where it has one) and its DNS name. */
export interface RecordHost { name: string; address: string; ipv6?: string; fqdn: string }

/**
 * The record set once it points at `to` instead of `from`: an A or AAAA set becomes `to`'s
 * address; in CNAME, MX and SRV values the name of `from` becomes the name of `to`, and
 * everything else stays (an MX's preference, a backup MX, an SRV's priority, weight and port,
 * a name that moves with its own record). The string is a sentence saying why it cannot be done.
 */
export function pointedAt(type: FailoverRecordType, from: RecordHost, to: RecordHost, now: string[]): string | { values: string[] } {
  const parsed = now.map((x) => parseRecordValue(type, x)).filter((x): x is RecordValue => typeof x !== 'string');
  const swap = (n: string) => (n === from.fqdn.toLowerCase() ? to.fqdn.toLowerCase() : n);
  switch (type) {
    case 'A': return { values: [to.address] };
    case 'AAAA': return to.ipv6 ? { values: [canonicalIpv6(to.ipv6) ?? to.ipv6] } : `${to.name} has no IPv6 address in the job, so an AAAA record cannot point at it; give the server's ipv6 address.`;
    case 'CNAME': return { values: [parsed[0]?.type === 'CNAME' ? swap(parsed[0].target) : to.fqdn.toLowerCase()] };
    case 'MX': return { values: parsed.length ? parsed.map((v) => (v.type === 'MX' ? `${v.preference} ${swap(v.exchange)}` : '')).filter(Boolean) : [`10 ${to.fqdn.toLowerCase()}`] };
    case 'SRV':
      if (!parsed.length) return 'the SRV record has no value now, so its priority, weight and port are unknown; create it once by hand, pointing at the source.';
      return { values: parsed.map((v) => (v.type === 'SRV' ? `${v.priority} ${v.weight} ${v.port} ${swap(v.target)}` : '')).filter(Boolean) };
  }
}
