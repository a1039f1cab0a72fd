/**
 * A rule as `iptables -S` prints it (`-A INPUT -p tcp -m comment --comment "a b" -j DROP`), made
 * back into its words and then into a command with every word quoted: a comment or an interface
 * name from the host's output never becomes shell code.
 */
import { shellCommand } from '../../shared/quote.ts';

/** The words of one `iptables -S` line: space-separated, a double-quoted word may hold spaces and \" or \\. */
export function iptablesWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    let w = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) i++;
        w += line[i++];
      }
      i++;
    } else {
      while (i < line.length && line[i] !== ' ') w += line[i++];
    }
    words.push(w);
  }
  return words;
}

/** `iptables ACTION CHAIN …` for a printed rule (ACTION -D deletes it, -A appends it again). */
export function iptablesCommand(printed: string, action: '-A' | '-D'): string {
  const [first, ...rest] = iptablesWords(printed);
  return shellCommand(['iptables', first === '-A' ? action : first ?? action, ...rest]);
}
