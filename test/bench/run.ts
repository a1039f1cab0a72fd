/**
 * `npm run bench -- NAME [options] [--json]`: benchmarks print figures; goals live here,
 * never in timed test assertions. With --json the last line is one JSON object.
 */
const benches: Record<string, () => Promise<{ main: (argv: string[]) => Promise<void> }>> = {
  discover: () => import('./discover.ts'),
  failover: () => import('./failover.ts'),
  preflight: () => import('./preflight.ts'),
  rehome: () => import('./rehome.ts'),
  replication: () => import('./replication.ts'),
  'replication-scale': () => import('./replication-scale.ts'),
  tripwire: () => import('./tripwire.ts'),
};

const [name, ...rest] = process.argv.slice(2);
const load = name ? benches[name] : undefined;
if (!load) {
  process.stderr.write(`bench: ${name ? `"${name}" is not a benchmark` : 'name a benchmark'}; the benchmarks are ${Object.keys(benches).join(', ')}.\n`);
  process.exit(2);
}
try {
  await (await load()).main(rest);
} catch (e) {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
