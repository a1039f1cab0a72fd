/**
 * Where the agent lives on a Linux host, and the small supervisor that keeps it running
 * where there is no systemd (the lab's hosts): a PID file, restart on exit, stop on TERM.
 * Where systemd runs, the same supervisor runs as the unit's main process.
 */
export const HOST_PATHS = {
  dir: '/opt/failguard',
  node: '/opt/failguard/bin/node',
  agent: '/opt/failguard/agent.mjs',
  agentd: '/opt/failguard/agentd',
  confDir: '/etc/failguard',
  config: '/etc/failguard/agent.json',
  ca: '/etc/failguard/ca.pem',
  cert: '/etc/failguard/agent.pem',
  key: '/etc/failguard/agent.key',
  /** The alert receivers' secrets (0600), written from memory by provisioning. */
  secrets: '/etc/failguard/secrets.json',
  stateDir: '/var/lib/failguard',
  pidFile: '/run/failguard-agentd.pid',
  unit: '/etc/systemd/system/failguard-agent.service',
} as const;

/** Where a target keeps what an automatic failover needs: its sealed plan and the sealed directory account. */
export const FAILOVER_PATHS = { plan: '/etc/failguard/failover-plan.json', access: '/etc/failguard/directory.sealed' } as const;

const P = HOST_PATHS;

/** The supervisor: `agentd start|stop|restart|status|supervise`. */
export const AGENTD = `#!/bin/sh
# Failguard agent supervisor: keeps the agent running, restarts it when it exits.
set -u
NODE=${P.node}; AGENT=${P.agent}; CONF=${P.config}; PIDF=${P.pidFile}; LOG=${P.stateDir}/agent.out
# The agent runs on its own runtime; nothing else from the host's PATH is needed but the system tools.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
running() { [ -f "$PIDF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null; }
case "\${1:-}" in
  supervise)
    echo $$ > "$PIDF"
    child=""
    trap '[ -n "$child" ] && kill "$child" 2>/dev/null; [ -n "$child" ] && wait "$child"; rm -f "$PIDF"; exit 0' TERM INT
    while :; do
      "$NODE" "$AGENT" run "$CONF" >>"$LOG" 2>&1 &
      child=$!
      wait "$child"
      sleep 1
    done ;;
  start)
    running && exit 0
    mkdir -p ${P.stateDir} && chmod 700 ${P.stateDir}
    if [ -d /run/systemd/system ] && [ -f ${P.unit} ]; then systemctl start failguard-agent; exit $?; fi
    setsid "$0" supervise </dev/null >/dev/null 2>&1 &
    for i in 1 2 3 4 5 6 7 8 9 10; do running && exit 0; sleep 0.2; done
    exit 1 ;;
  stop)
    if [ -d /run/systemd/system ] && [ -f ${P.unit} ]; then systemctl stop failguard-agent; fi
    running || exit 0
    kill "$(cat "$PIDF")"
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do running || exit 0; sleep 0.25; done
    exit 1 ;;
  restart) "$0" stop && "$0" start ;;
  status) running ;;
  *) echo "usage: agentd start|stop|restart|status" >&2; exit 64 ;;
esac
`;

/** The systemd unit, where systemd runs (not run in the lab, whose hosts have no systemd). */
export const SYSTEMD_UNIT = `[Unit]
Description=Failguard agent (replication and failover monitor)
After=network-online.target

[Service]
ExecStart=${P.agentd} supervise
PIDFile=${P.pidFile}
Restart=always

[Install]
WantedBy=multi-user.target
`;
