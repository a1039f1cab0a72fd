/** Judging the user's choice of source and targets: derived, with a reason for each problem. */
import { sameMajorVersion, type Topology } from '../../../shared/topology.ts';

export interface SelectionCheck {
  /** A source and at least one valid target are chosen. */
  complete: boolean;
  /** Per server name: a warning shown beside it. */
  warnings: Record<string, string>;
}

export function checkSelection(t: Topology | null, source: string | null, targets: readonly string[]): SelectionCheck {
  const warnings: Record<string, string> = {};
  if (!t || !source) return { complete: false, warnings };
  const src = t.servers.find((s) => s.name === source);
  if (!src) return { complete: false, warnings };
  if (!src.roles.includes('mailbox')) warnings[source] = `${source} has no Mailbox role: there is no mail data on it to protect.`;
  for (const name of targets) {
    const tgt = t.servers.find((s) => s.name === name);
    if (!tgt) continue;
    if (!sameMajorVersion(src.version, tgt.version)) {
      warnings[name] = `${name} runs ${tgt.version.product}, ${source} runs ${src.version.product}: a target must run the same major version to take over.`;
    } else if (!tgt.roles.includes('mailbox')) {
      warnings[name] = `${name} has no Mailbox role, so it cannot mount ${source}'s databases.`;
    }
  }
  const validTargets = targets.filter((n) => n !== source && !warnings[n]);
  return { complete: validTargets.length > 0 && !warnings[source], warnings };
}
