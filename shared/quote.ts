/**
 * The one way a value enters command text. `shq` single-quotes for a POSIX shell (the remote
 * shell of every Linux command, plan step and probe); `psq` single-quotes for PowerShell, which
 * also takes the typographic single quotes U+2018–U+201B as quotes, so every one of them is
 * doubled. Nothing else puts a value into shell or PowerShell text: see test/unit/hostile-values.
 */

/** A value as one word of a POSIX shell command, whatever it holds. */
export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A word a shell reads as itself: left bare, so plans stay readable (as Python's shlex.quote does). */
const BARE = /^[A-Za-z0-9_/.,:=@%+-]+$/;

/** An argument vector as POSIX shell text: each word bare when plain, else quoted, so it parses back to exactly these words. */
export const shellCommand = (argv: readonly string[]): string => argv.map((w) => (BARE.test(w) ? w : shq(w))).join(' ');

/** The characters PowerShell reads as a single quote (ASCII and the four typographic ones). */
const PS_SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

/** A value as one PowerShell single-quoted string, whatever it holds. */
export const psq = (s: string): string => `'${s.replace(PS_SINGLE_QUOTES, '$&$&')}'`;
