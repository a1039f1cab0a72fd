/** A plan's id: the SHA-256 of its whole content, so consent to an id is consent to exactly these steps. */
import { createHash } from 'node:crypto';
import type { Plan } from '../../shared/plan.ts';

/** JSON with object keys sorted, so the same content always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function planId(content: Omit<Plan, 'id'> & Record<string, unknown>): string {
  const { id: _ignored, ...rest } = content as Record<string, unknown>;
  return `sha256:${createHash('sha256').update(canonicalJson(rest)).digest('hex')}`;
}

/** Gives a plan its id; every plan Failguard offers is made through this. */
export function sealPlan<T extends Omit<Plan, 'id'>>(content: T): T & { id: string } {
  return { ...content, id: planId(content as Omit<Plan, 'id'> & Record<string, unknown>) };
}

/** True when the plan's content still hashes to its id (nothing was edited on the way). */
export function planIntact(p: Plan): boolean {
  return planId(p as Plan & Record<string, unknown>) === p.id;
}
