/** Distinguished names (RFC 4514): split into RDNs with escapes undone, compared without case. */
export interface Rdn {
  type: string;
  value: string;
}

export function parseDn(dn: string): Rdn[] {
  const out: Rdn[] = [];
  let type = '';
  let value = '';
  let inValue = false;
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i]!;
    if (ch === '\\' && i + 1 < dn.length) {
      const hex = dn.slice(i + 1, i + 3);
      if (/^[0-9a-f]{2}$/i.test(hex)) {
        value += String.fromCharCode(parseInt(hex, 16));
        i += 2;
      } else {
        value += dn[i + 1];
        i += 1;
      }
      continue;
    }
    if (!inValue && ch === '=') { inValue = true; continue; }
    if (ch === ',' || ch === ';') {
      out.push({ type: type.trim(), value: value.trim() });
      type = '';
      value = '';
      inValue = false;
      continue;
    }
    if (inValue) value += ch;
    else type += ch;
  }
  if (type.trim()) out.push({ type: type.trim(), value: value.trim() });
  return out;
}

export const sameDn = (a: string, b: string): boolean => normalizeDn(a) === normalizeDn(b);

export function normalizeDn(dn: string): string {
  return parseDn(dn).map((r) => `${r.type.toLowerCase()}=${r.value.toLowerCase()}`).join(',');
}

/** The value of the first RDN: `CN=MAIL1,CN=Servers,...` → `MAIL1`. */
export const rdnValue = (dn: string): string => parseDn(dn)[0]?.value ?? dn;

/**
 * A value as one RDN value of a DN (RFC 4514): `, + " \ < > ; =` and NUL escaped, and a leading
 * `#` or space and a trailing space, so a name never adds an RDN or moves the DN elsewhere.
 */
export function escapeDnValue(v: string): string {
  return v
    .replace(/[,+"\\<>;=\0]/g, (c) => (c === '\0' ? '\\00' : `\\${c}`))
    .replace(/^([#\s])/, '\\$1')
    .replace(/(\s)$/, '\\$1');
}

/** A DN made of RDNs whose values are escaped (the one way a value enters a DN). */
export const dnOf = (rdns: ReadonlyArray<readonly [type: string, value: string]>, parent?: string): string =>
  [...rdns.map(([type, value]) => `${type}=${escapeDnValue(value)}`), ...(parent ? [parent] : [])].join(',');

/** Escapes a value for use inside an LDAP filter (RFC 4515), e.g. the parentheses of FYDIBOHF23SPDLT. */
export function escapeFilterValue(v: string): string {
  return v.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
