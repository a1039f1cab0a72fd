/**
 * Reading a multi-valued attribute in full. Active Directory returns at most 1,500 values
 * per request and names the slice it sent (`homeMDBBL;range=0-1499`); the client asks for
 * the next slice until the server answers with `;range=N-*`. Samba returns everything at once.
 */
import type { Client } from 'ldapts';

export async function countRangedValues(client: Client, dn: string, attribute: string): Promise<number> {
  let count = 0;
  let low = 0;
  for (let guard = 0; guard < 100_000; guard++) {
    const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [`${attribute};range=${low}-*`] });
    const entry = searchEntries[0];
    if (!entry) return count;
    const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase() || k.toLowerCase().startsWith(`${attribute.toLowerCase()};range=`));
    if (!key) return count;
    const values = ([] as unknown[]).concat(entry[key] ?? []);
    count += values.length;
    const range = /;range=(\d+)-(\d+|\*)$/i.exec(key);
    if (!range || range[2] === '*') return count;
    low = Number(range[2]) + 1;
  }
  return count;
}
