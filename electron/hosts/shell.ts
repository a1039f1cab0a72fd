/** Single-quotes a value for the remote POSIX shell. */
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
