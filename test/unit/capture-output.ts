/** Captures what the CLI writes to stdout and stderr in a unit test (restored by vi.restoreAllMocks). */
import { vi } from 'vitest';

export function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  return { out, err };
}
