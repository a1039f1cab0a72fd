/**
 * failguard-agent: the program Failguard installs on protected servers. It runs on its own
 * Node runtime (shipped beside it), keeps its state on the host and goes on when the app
 * is closed. `run CONFIG` is the daemon; `status CONFIG` prints its state as JSON (the app
 * reads it over SSH, never through an open port of its own).
 */
import { mkdirSync, readFileSync, renameSync, statfsSync, writeFileSync } from 'node:fs';
import { SendWatch, VolumeWatch } from './health-watch.ts';
import { bootNowMs } from './monitor/clock.ts';
import { timingOf } from './monitor/rules.ts';
import { join } from 'node:path';
import { loadConfig } from './config.ts';
import { StateFile } from './state.ts';
import { listen, loadTls, peerName } from './peer.ts';
import { Monitor } from './monitor/monitor.ts';
import { resolveServices, startServices } from './monitor/services.ts';
import { readPhase } from './monitor/phase.ts';
import { startAdmission } from './monitor/admission.ts';
import { runAutomaticFailover } from './failover/automatic.ts';
import { sendAlert } from './alerts/send.ts';
import { finalPoint, handedOver, handOver } from './handover.ts';
import { rehearsalCheck, rehearsalEvidence } from './rehearsal-check.ts';
import { holdQueue, queueHeld, setAsideDiverged, settle, synced, holdsLease, promote, readPromoted, serve, serving, setPhase, takeLease, unpromote, unserve } from './commands.ts';
import { UserError } from '../../shared/errors.ts';
import { Receiver } from './receiver.ts';
import { removeLeftoverFifoDirs } from './gathered-stream.ts';
import { Shipper } from './shipper.ts';
import { Snapshotter } from './snapshotter.ts';
import { Follower } from './follow.ts';
import { AGENT_VERSION } from './version.ts';
import { RpoWatch } from './rpo-watch.ts';
import { forgetOldMetrics, metricsText, writeMetrics } from './metrics.ts';
import { addHolds, heldState, releaseHolds } from './holds.ts';
import { parsePoint } from '../../shared/points.ts';
import { parseEvents, type AgentEvent } from '../../shared/agent-events.ts';
import { applyInPlace, configSha256, reloadDecision } from './reload.ts';
import { askReload, configApplied } from './reload-command.ts';
import type { AgentConfig } from './config.ts';
import { plainMessage } from '../../shared/errors.ts';
import { changedSince } from './changed-since.ts';

async function run(configFile: string): Promise<void> {
  const c = await loadConfig(configFile);
  // The liveness stamp the supervisor watches: written twice a second, on the boot clock (agentd reads /proc/uptime),
  // with the fence time it may not outlive (a hung agent's source must stop serving as soon as a cut-off one would).
  const alive = join(c.stateDir, 'alive');
  const liveS = Math.ceil(timingOf(c.monitor).fenceAfterS);
  const stamp = () => {
    // Replaced whole (a reader never sees it empty).
    // Cut to the tenth, never rounded up: the supervisor reads /proc/uptime cut to the tenth, and a stamp ahead of its clock is one from before a reboot.
    writeFileSync(`${alive}.tmp`, `${(Math.floor(bootNowMs() / 100) / 10).toFixed(1)} ${liveS}\n`);
    renameSync(`${alive}.tmp`, alive);
  };
  // Written first, before anything slow (the first snapshot, the receive folder's check): the supervisor sees a live agent from the start.
  mkdirSync(c.stateDir, { recursive: true, mode: 0o700 });
  stamp();
  // No send is under way yet: a FIFO folder left by a kill in the middle of making one goes.
  removeLeftoverFifoDirs(c.stateDir);
  // Then twice a second on a timer of its own, from here on: the receive folder's check and the first snapshot below can take
  // seconds, and a live agent must not look hung meanwhile (nor after, when a state write is slow).
  setInterval(stamp, 500);
  // Counters survive a restart: they are the host's history, not this process's. They are in the first state written, with a
  // standby's holds: a status read right after a restart (or a crash) must not find them gone.
  const st = StateFile.afterRestart(c.stateDir, { version: AGENT_VERSION, jobId: c.jobId, host: c.host, role: c.role, pid: process.pid, node: process.version, startedAt: Date.now(),
    configSha256: configSha256(configFile), ...(c.role === 'target' ? heldState(c.stateDir) : {}) }, c.role === 'target' ? c.receiveDir : c.role === 'source' ? c.pointsDir : null);
  // One object: the watches' record of what they alerted is the state's.
  const alerted = (st.state.alerted ??= {});
  st.note({ kind: 'agent', action: 'started', message: `agent ${AGENT_VERSION} started as ${c.role} of job ${c.jobId} (pid ${process.pid})` });
  const tls = loadTls(c);
  const services = resolveServices(c.monitor?.services ?? []);
  const monitor = new Monitor(c, tls, st, services, {
    alert: (event, severity, message) => raise(c, st, event, severity, message),
    // Automatic mode, the lease granted: the failover plan sealed at provisioning, on the one plan engine.
    failover: (leaseKey) => runAutomaticFailover(c, leaseKey, (e) => st.note(e)),
  });
  const receiver = new Receiver(c, st, () => monitor.replicationSource(), (f, holdError) => raise(c, st, 'tripwire', 'critical',
    `${c.host} received ${f.files} files rewritten with content that does not compress (${(f.bytes / 1e6).toFixed(1)} MB) in ${f.points} point(s) within a minute, as files encrypted in place would be (ransomware?). ${f.lastClean ? `The last clean point, ${new Date(parsePoint(f.lastClean)?.at ?? 0).toISOString()} (${f.lastClean}), and the ${f.hold.length - 1} before it are held until released; look at the source, and fail over or rehearse to that point.` : 'No clean point is known yet.'}${holdError ? ` The points could not be held (${holdError}); keep them by hand before the retention prunes them.` : ''}`));
  if (c.role === 'target') await receiver.start();
  // A standby that took over sends on to the other standbys (follow.ts).
  const follower = c.role === 'target' ? new Follower(c, tls, st, () => monitor.admits()) : null;
  // A target that had taken over serves again after a restart (its services wait for the agent, like the source's).
  if (c.role === 'target' && readPhase(c.stateDir)?.phase === 'failed-over') void startServices(services, (e) => st.note(e));
  const answer = (s: import('node:tls').TLSSocket, r: Record<string, unknown>) => void s.end(`${JSON.stringify(r)}\n`);
  const server = listen(c, tls, (s, header, rest) => {
    if (header.op === 'ping') return answer(s, { ok: true, host: c.host, role: c.role, version: AGENT_VERSION });
    if (header.op === 'heartbeat') return answer(s, monitor.onHeartbeat(peerName(s)));
    if (header.op === 'witness-status') return answer(s, monitor.witnessStatus());
    if (header.op === 'lease') return answer(s, monitor.leaseRequest(peerName(s)));
    if (header.op === 'handover') return answer(s, monitor.handover(peerName(s), header.to));
    if (c.role !== 'target') return void s.end(`${JSON.stringify({ error: `${c.host} is the ${c.role}, not a target` })}\n`);
    void receiver.handle(s, peerName(s), header, rest);
  }, (e) => st.note(e));
  server.on('error', (e) => { st.note({ kind: 'agent', action: 'error', message: `cannot listen on ${c.listen.address}:${c.listen.port}: ${e.message}` }); process.exit(3); });
  // Mail admission: the host's Postfix asks, for every message, whether this host may take mail now.
  const admission = c.role === 'witness' || !c.monitor ? null : startAdmission(c.host, () => monitor.admits(),
    (admit) => st.note({ kind: 'admission', admit, message: `${admit ? 'mail is admitted' : 'mail is refused for now (451)'} on ${c.host}` }),
    // A port held by something else must not answer for this host: the agent stops, and its supervisor tries again.
    (e) => { st.note({ kind: 'agent', action: 'error', message: `cannot answer mail admission on 127.0.0.1: ${e.message}` }); process.exit(3); });
  const shippers = c.role === 'source' ? c.targets.map((t) => new Shipper(c, t, tls, st, () => void snap?.tick())) : [];
  const snap = c.role === 'source' ? new Snapshotter(c, st, () => shippers.forEach((s) => s.poke()), () => shippers.flatMap((s) => s.pinned())) : null;
  // The monitor first: a restarted source's services wait on the witness's word, not on its first snapshot (which can take seconds).
  monitor.start();
  await snap?.start();
  for (const s of shippers) void s.run();
  follower?.start();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    st.note({ kind: 'agent', action: 'stopping', message: 'agent stopping' });
    snap?.stop();
    follower?.stop();
    monitor.stop();
    shippers.forEach((s) => s.stop());
    server.close();
    admission?.close();
    // The last state written last: a queued write under way is awaited first (at most 2 s).
    void st.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', () => void reload(configFile, c, st, { snap, restart: stop }));
  // A standby's RPO against the job's thresholds, alerted once a crossing lasts (rpo-watch.ts); not once it took over.
  // What they alerted survives a restart (the state file's `alerted`): a warning sent before it is still cleared after it.
  const rpo = new RpoWatch(alerted);
  const sends = new SendWatch(alerted);
  const volume = new VolumeWatch(alerted);
  const metrics = metricsWriter(c, st, () => (c.monitor ? monitor.admits() : null));
  /** Sends a watch's alert, and writes down at once (to the disk, off the event loop) that it was sent (or cleared), so a restart right after keeps it. */
  const alert = (a: { event: string; severity: 'info' | 'warning' | 'critical'; message: string }) => {
    raise(c, st, a.event, a.severity, a.message);
    st.saveSoon(true);
  };
  setInterval(() => {
    st.saveSoon();
    // A standby that took over has no RPO of its own: read once for the watch and the metrics.
    const tookOver = c.role === 'target' && readPhase(c.stateDir) !== null;
    try {
      if (c.role === 'target' && c.health && !tookOver) {
        const a = rpo.step(Date.now(), st.state.received.newest, c.health, c.host);
        if (a) alert(a);
      }
    } catch (e) {
      // Never at the cost of the liveness stamp above.
      st.note({ kind: 'agent', action: 'error', message: `rpo watch: ${(e as Error).message}` });
    }
    if (c.role === 'target') {
      Object.assign(st.state, heldState(c.stateDir));
    }
    // The other health limits (health-watch.ts): sends and the initial sync on the source, free space on a standby.
    try {
      const now = Date.now();
      const limits = c.watch;
      if (limits && c.role === 'source') for (const a of sends.step(now, st.state, limits, c.host)) alert(a);
      if (c.role === 'target' && now - (st.state.volume?.at ?? 0) >= 10_000) {
        const f = statfsSync(c.receiveDir);
        st.state.volume = { freeBytes: f.bavail * f.bsize, totalBytes: f.blocks * f.bsize, at: now };
        const a = limits ? volume.step(now, st.state.volume, limits, c.host) : null;
        if (a) alert(a);
      }
    } catch (e) {
      st.note({ kind: 'agent', action: 'error', message: `health watch: ${(e as Error).message}` });
    }
    metrics.write(tookOver);
  }, 1000).unref();

}

/** A new configuration (SIGHUP): taken in place when only hot fields changed, else the agent exits and its supervisor starts it on the new file. */
async function reload(file: string, c: AgentConfig, st: StateFile, o: { snap: Snapshotter | null; restart: () => void }): Promise<void> {
  let next: AgentConfig;
  try {
    next = await loadConfig(file);
  } catch (e) {
    return st.note({ kind: 'config', action: 'refused', message: `the new configuration was not taken: ${plainMessage(e)}; the agent goes on with the one it has` });
  }
  const d = reloadDecision(c, next);
  if (d.restart) {
    st.note({ kind: 'config', action: 'restart', message: `the new configuration needs a restart (${d.why}); stopping so the supervisor starts the agent on it` });
    return o.restart();
  }
  applyInPlace(c, next);
  o.snap?.reschedule();
  st.state.configSha256 = configSha256(file);
  st.note({ kind: 'config', action: 'reloaded', changes: d.changes, message: `configuration reloaded in place${d.changes.length ? `: ${d.changes.join('; ')}` : ' (nothing the agent uses changed)'}` });
  st.saveSoon(true);
}

/** Logs an alert and sends it to every receiver; never waits for them, never throws (a failover goes on). */
function raise(c: import('./config.ts').AgentConfig, st: StateFile, event: string, severity: 'info' | 'warning' | 'critical', message: string): void {
  st.note({ kind: 'alert', event, severity, message });
  if (!c.alerts.length) return;
  void sendAlert(c.alerts, { job: c.jobName || c.jobId, event, host: c.host, at: new Date().toISOString(), severity, message }).then((out) => {
    for (const d of out.filter((x) => !x.ok)) st.note({ kind: 'alert', event, severity, undelivered: d.receiver, message: `alert ${event} not delivered to ${d.receiver}: ${d.error}` });
  });
}

async function status(configFile: string): Promise<void> {
  const c = await loadConfig(configFile);
  const state = JSON.parse(readFileSync(join(c.stateDir, 'state.json'), 'utf8')) as Record<string, unknown>;
  let events: AgentEvent[] = [];
  try {
    // The newest records: the file's tail is enough (it is rotated at 5 MB).
    events = parseEvents(readFileSync(join(c.stateDir, 'events.jsonl'), 'utf8').split('\n').slice(-200).join('\n')).slice(-60);
  } catch { /* no events yet */ }
  process.stdout.write(`${JSON.stringify({ ...state, events })}\n`);
}

const out = (x: unknown) => void process.stdout.write(`${typeof x === 'string' ? x : JSON.stringify(x)}\n`);
const [cmd, file, arg] = process.argv.slice(2);
const rest = process.argv.slice(4);
const oneShot = (fn: (c: import('./config.ts').AgentConfig) => Promise<unknown>) => async (f: string) => out(await fn(await loadConfig(f)));
const commands: Record<string, (f: string) => Promise<void>> = {
  run, status,
  // Provisioning's reload step: the running agent takes the configuration on disk (in place, or by restarting), checked by hash.
  'reload': async (f) => out(await askReload(f)),
  'config-applied': async (f) => { const r = configApplied(f); if (!r.ok) process.exitCode = 1; out(r.detail); },
  'lease': oneShot(takeLease),
  'holds-lease': oneShot(async (c) => { if (!(await holdsLease(c))) { process.exitCode = 1; return `${c.host} does not hold the lease`; } return `${c.host} holds the lease`; }),
  // promote [POINT] [--rehearsal]: the newest point, or the one chosen; a rehearsal's copy holds nothing.
  'promote': oneShot((c) => promote(c, rest.find((a) => !a.startsWith('--')) ?? null, { rehearsal: rest.includes('--rehearsal') })),
  'promoted': oneShot(async (c) => { const p = readPromoted(c); if (!p) process.exitCode = 1; return p ?? 'not promoted'; }),
  'unpromote': oneShot((c) => unpromote(c, rest.includes('--discard'), { rehearsal: rest.includes('--rehearsal') })),
  'rehearsal-check': oneShot(rehearsalCheck),
  'rehearsal-evidence': oneShot(async (c) => rehearsalEvidence(c)),
  'hold-queue': oneShot(holdQueue),
  'queue-held': oneShot(async (c) => { const ok = await queueHeld(c); if (!ok) process.exitCode = 1; return ok ? 'nothing in the queue waits for delivery' : 'messages in the queue wait for delivery'; }),
  'handover': oneShot((c) => handOver(c, arg ?? '')),
  'handed-over': oneShot(async (c) => { const r = await handedOver(c); if (!r.ok) process.exitCode = 1; return r.detail; }),
  'final-point': oneShot(finalPoint),
  'synced': oneShot(async (c) => { const r = await synced(c); if (!r.ok) process.exitCode = 1; return r.detail; }),
  'settle': oneShot(async (c) => settle(c)),
  // The plans' own alerts (a failover run from the app: started, done); the message is the rest of the line.
  'alert': oneShot(async (c) => {
    const [event, severity, ...words] = process.argv.slice(4);
    if (!event || !['info', 'warning', 'critical'].includes(severity ?? '')) throw new UserError('bad-input', 'alert takes EVENT info|warning|critical MESSAGE.');
    const out = await sendAlert(c.alerts, { job: c.jobName || c.jobId, event, host: c.host, at: new Date().toISOString(), severity: severity as 'info', message: words.join(' ') });
    return out.map((d) => `${d.receiver}: ${d.ok ? 'sent' : d.error}`).join('; ') || 'no alert receivers';
  }),
  'set-aside-diverged': oneShot((c) => setAsideDiverged(c, arg ?? '')),
  // The failback's preview: the data bytes a send from that point to what this host serves now would carry.
  'changed-since': oneShot((c) => changedSince(c, arg ?? '')),
  // A person's holds: kept from pruning until released (`release POINT…` or `release --all`).
  'hold': oneShot(async (c) => {
    if (!rest.length || !rest.every((p) => parsePoint(p))) throw new UserError('bad-input', 'hold takes the names of the points to hold (p…-…).');
    return `${addHolds(c.stateDir, rest, 'held by a person').length} point(s) newly held`;
  }),
  'release': oneShot(async (c) => {
    if (!rest.length || !(rest.length === 1 && rest[0] === '--all') && !rest.every((p) => parsePoint(p))) throw new UserError('bad-input', 'release takes the names of held points, or --all.');
    return `${releaseHolds(c.stateDir, rest[0] === '--all' ? 'all' : rest)} hold(s) released`;
  }),
  'serve': oneShot((c) => serve(c, { rehearsal: rest.includes('--rehearsal') })),
  'serving': oneShot(async (c) => { const r = await serving(c); if (!r.ok) process.exitCode = 1; return r.detail; }),
  'unserve': oneShot((c) => unserve(c, { rehearsal: rest.includes('--rehearsal'), fence: rest.includes('--fence') })),
  'phase': oneShot(async (c) => { if (!['failing-over', 'failed-over', 'failing-back', 'none'].includes(arg ?? '')) throw new UserError('bad-input', 'phase takes failing-over, failed-over, failing-back or none.'); setPhase(c, arg as 'none'); return arg; }),
};
if (!cmd || !file || !commands[cmd]) {
  process.stderr.write(`usage: failguard-agent ${Object.keys(commands).join('|')} CONFIG\n`);
  process.exit(64);
}
commands[cmd]!(file).catch((e: unknown) => {
  process.stderr.write(`failguard-agent: ${plainMessage(e)}\n`);
  process.exit(4);
});

/** Writes failguard.prom each time it is called (metrics.ts); a missing folder or a failed write is said once per kind, never thrown. */
function metricsWriter(c: AgentConfig, st: StateFile, serving: () => boolean | null): { write: (tookOver: boolean) => void } {
  let said = '';
  let lastDir: string | null | undefined;
  const once = (m: string) => { if (m !== said) { said = m; st.note({ kind: 'metrics', message: m }); } };
  return {
    write: (tookOver) => {
      const dir = c.metrics?.textfileDir ?? null;
      if (dir !== lastDir) {
        lastDir = dir;
        try {
          const removed = forgetOldMetrics(c.stateDir, dir);
          if (removed) st.note({ kind: 'metrics', message: `the metrics folder is now ${dir ?? 'none'}: the file left in ${removed} was deleted` });
        } catch (e) {
          once(`the metrics file of an earlier folder could not be looked for: ${plainMessage(e)}`);
        }
      }
      if (!dir) return;
      try {
        const text = metricsText({ state: st.state, jobName: c.jobName || c.jobId, now: Date.now(), serving: serving(), tookOver, thresholds: c.health });
        if (writeMetrics(dir, text)) said = '';
        else once(`the folder ${dir} does not exist, so no metrics file is written; install node_exporter's textfile collector there, or set the job's metrics folder`);
      } catch (e) {
        once(`${dir}/failguard.prom could not be written: ${plainMessage(e)}`);
      }
    },
  };
}
