/**
 * CliXml (PowerShell's serialisation: Export-Clixml, PSSerializer) into plain values:
 * objects as { _types, _toString, ...properties }, enums as { name, value }, lists as
 * arrays, <Nil> as null, references resolved. Recorded Exchange outputs and the live
 * Windows probe are read by the same code. (A small XML reader: CliXml needs no more.)
 */
export interface XmlNode { tag: string; attrs: Record<string, string>; children: XmlNode[]; text: string }

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const unescapeXml = (s: string) => s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => (e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITIES[e] ?? m)));
/** CliXml's own escape for characters XML cannot hold: _xHHHH_. */
export const unescapeCliXml = (s: string) => s.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

export function parseXml(text: string): XmlNode {
  const src = text.replace(/^\uFEFF/, '').replace(/<\?xml[^>]*\?>/, '');
  const root: XmlNode = { tag: '#root', attrs: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  const re = /<!--[\s\S]*?-->|<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  for (const m of src.matchAll(re)) {
    const top = stack[stack.length - 1]!;
    if (m[5] !== undefined) { top.text += unescapeXml(m[5]); continue; }
    if (!m[2]) continue;
    if (m[1]) {
      if (top.tag !== m[2]) throw new Error(`mismatched </${m[2]}> in <${top.tag}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (m[3] ?? '').matchAll(/([\w.:-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = unescapeXml(a[3] ?? a[4] ?? '');
    const node: XmlNode = { tag: m[2], attrs, children: [], text: '' };
    top.children.push(node);
    if (!m[4]) stack.push(node);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.tag}>`);
  return root;
}

export type CliValue = string | number | boolean | null | CliValue[] | { [k: string]: CliValue };

const NUMERIC = new Set(['I16', 'I32', 'I64', 'U16', 'U32', 'U64', 'By', 'SB', 'Db', 'Sg', 'D']);

/** Reads one CliXml document: the list of pipeline outputs. */
export function parseCliXml(text: string): CliValue[] {
  const objs = parseXml(text).children.find((c) => c.tag === 'Objs');
  if (!objs) throw new Error('not a CliXml document (no <Objs>)');
  const types = new Map<string, string[]>();
  const refs = new Map<string, CliValue>();
  const value = (n: XmlNode): CliValue => {
    if (n.tag === 'Nil') return null;
    if (n.tag === 'S' || n.tag === 'C' || n.tag === 'URI' || n.tag === 'XD' || n.tag === 'SBK') return unescapeCliXml(n.text);
    if (n.tag === 'B') return n.text.trim() === 'true';
    if (NUMERIC.has(n.tag)) return Number(n.text.trim());
    if (n.tag === 'DT' || n.tag === 'G' || n.tag === 'Version' || n.tag === 'TS') return n.text.trim();
    if (n.tag === 'BA') return n.text.trim();
    if (n.tag === 'Ref') return refs.get(n.attrs.RefId ?? '') ?? null;
    if (n.tag === 'Obj') return obj(n);
    return unescapeCliXml(n.text);
  };
  const obj = (n: XmlNode): CliValue => {
    const tn = n.children.find((c) => c.tag === 'TN');
    const tnRef = n.children.find((c) => c.tag === 'TNRef');
    let t: string[] = [];
    if (tn) { t = tn.children.filter((c) => c.tag === 'T').map((c) => c.text.trim()); types.set(tn.attrs.RefId ?? '', t); }
    else if (tnRef) t = types.get(tnRef.attrs.RefId ?? '') ?? [];
    const toString = n.children.find((c) => c.tag === 'ToString');
    const list = n.children.find((c) => ['LST', 'IE', 'STK', 'QUE'].includes(c.tag));
    let result: CliValue;
    if (t.includes('System.Enum')) {
      const raw = n.children.find((c) => NUMERIC.has(c.tag));
      result = { name: toString ? unescapeCliXml(toString.text) : '', value: raw ? Number(raw.text) : null };
    } else if (list) {
      result = list.children.map(value);
    } else {
      const dct = n.children.find((c) => c.tag === 'DCT');
      const o: { [k: string]: CliValue } = { _types: t, _toString: toString ? unescapeCliXml(toString.text) : null };
      if (dct) for (const en of dct.children) { const k = en.children.find((c) => c.attrs.N === 'Key'); const v = en.children.find((c) => c.attrs.N === 'Value'); if (k) o[String(value(k))] = v ? value(v) : null; }
      for (const section of ['Props', 'MS']) {
        for (const p of n.children.find((c) => c.tag === section)?.children ?? []) {
          const name = p.attrs.N;
          if (!name || name === 'SerializationData') continue;
          const v = value(p);
          // A property in both: the member set's typed value wins, unless it is empty.
          if (section === 'MS' && v === null && name in o) continue;
          o[name] = v;
        }
      }
      // A primitive wrapped in an object (e.g. a bare <S> beside <ToString>) keeps its value.
      const bare = n.children.find((c) => !c.attrs.N && ['S', 'I32', 'I64', 'B', 'DT'].includes(c.tag));
      if (bare && Object.keys(o).length === 2) o._value = value(bare);
      result = o;
    }
    if (n.attrs.RefId !== undefined) refs.set(n.attrs.RefId, result);
    return result;
  };
  return objs.children.map(value);
}
