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

/** A command of the installed agent on its host (`agent.mjs CMD CONFIG ARGS…`), every argument quoted (shared/quote.ts). */
export const agentCommand = (cmd: string, ...args: string[]): string => shellCommand([HOST_PATHS.node, HOST_PATHS.agent, cmd, HOST_PATHS.config, ...args]);

/** Where a target keeps what an automatic failover needs: its sealed plan and the sealed directory account. */
export const FAILOVER_PATHS = { plan: '/etc/failguard/failover-plan.json', access: '/etc/failguard/directory.sealed' } as const;

import { ADMISSION } from '../../shared/admission.ts';
import { shellCommand } from '../../shared/quote.ts';
import { RESTART_DELAY_S, SUPERVISOR_POLL_S, SUPERVISOR_STALE_CHECKS } from '../../shared/supervisor-pace.ts';

const P = HOST_PATHS;

/** What Postfix's restrictions hold while admission is on. */
export const ADMISSION_MARK = '$failguard_admission';

/** The systemd unit, where systemd runs: enabled at boot by `agentd boot on`, which also disables the mail services' own start. */
export const SYSTEMD_UNIT = `[Unit]
Description=Failguard agent (replication and failover monitor; owns this host's mail services)
After=network-online.target local-fs.target

[Service]
ExecStart=${P.agentd} supervise
PIDFile=${P.pidFile}
Restart=always

[Install]
WantedBy=multi-user.target
`;

/** The same for a host without systemd (SysV init, as Debian's update-rc.d sets it up). */
export const SYSV_SCRIPT = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          failguard-agent
# Required-Start:    $local_fs $network
# Required-Stop:     $local_fs $network
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: Failguard agent (replication and failover monitor)
# Description:       Owns this host's mail services: starts them once the witness confirms this host may serve.
### END INIT INFO
case "\${1:-}" in start|stop|restart|status) exec ${P.agentd} "$1" ;; *) echo "usage: $0 start|stop|restart|status" >&2; exit 3 ;; esac
`;

/** Where the services that started at boot before `agentd boot on` are listed, for `agentd boot off` to enable them again. */
const BOOT_PREV = `${P.confDir}/boot.prev`;
const SYSV = '/etc/init.d/failguard-agent';

/**
 * `agentd boot on|off|status SERVICE...`: the agent starts with the host and the mail services do
 * not (the agent starts them once the witness confirms this host); `off` puts back exactly what
 * started at boot before. With systemd: the unit; without it: a SysV script through update-rc.d.
 */
const BOOT = `  boot)
    what="\${2:-}"; [ $# -ge 2 ] && shift 2 || shift $#
    if [ -d /run/systemd/system ]; then
      case "$what" in
        on)
          cat > ${P.unit} <<'FG_UNIT'
${SYSTEMD_UNIT}FG_UNIT
          systemctl daemon-reload && systemctl enable --quiet failguard-agent || exit 1
          [ -f ${BOOT_PREV} ] || for s in "$@"; do systemctl is-enabled --quiet -- "$s" 2>/dev/null && echo "$s"; done > ${BOOT_PREV}
          for s in "$@"; do systemctl disable --quiet -- "$s" 2>/dev/null; done; exit 0 ;;
        off)
          for s in $(cat ${BOOT_PREV} 2>/dev/null); do systemctl enable --quiet -- "$s"; done; rm -f ${BOOT_PREV}
          systemctl disable --quiet failguard-agent 2>/dev/null; rm -f ${P.unit}; systemctl daemon-reload; exit 0 ;;
        status)
          systemctl is-enabled --quiet failguard-agent || exit 1
          for s in "$@"; do systemctl is-enabled --quiet -- "$s" 2>/dev/null && exit 1; done; exit 0 ;;
      esac
    elif command -v update-rc.d >/dev/null 2>&1; then
      case "$what" in
        on)
          cat > ${SYSV} <<'FG_SYSV'
${SYSV_SCRIPT}FG_SYSV
          chmod 755 ${SYSV} && update-rc.d failguard-agent defaults >/dev/null 2>&1 || exit 1
          [ -f ${BOOT_PREV} ] || for s in "$@"; do ls /etc/rc2.d/S??"$s" >/dev/null 2>&1 && echo "$s"; done > ${BOOT_PREV}
          for s in "$@"; do [ -e "/etc/init.d/$s" ] && update-rc.d "$s" disable >/dev/null 2>&1; done; exit 0 ;;
        off)
          for s in $(cat ${BOOT_PREV} 2>/dev/null); do update-rc.d "$s" enable >/dev/null 2>&1; done; rm -f ${BOOT_PREV}
          update-rc.d -f failguard-agent remove >/dev/null 2>&1; rm -f ${SYSV}; exit 0 ;;
        status)
          ls /etc/rc2.d/S??failguard-agent >/dev/null 2>&1 || exit 1
          for s in "$@"; do ls /etc/rc2.d/S??"$s" >/dev/null 2>&1 && exit 1; done; exit 0 ;;
      esac
    else
      echo "this host has neither systemd nor SysV init scripts (update-rc.d), so nothing starts Failguard's agent at boot" >&2; exit 3
    fi
    echo "usage: agentd boot on|off|status SERVICE..." >&2; exit 64 ;;
`;

/** Where Postfix's restrictions line from before admission was switched on is kept (empty: it was not set), for `admission off`. */
const ADMISSION_PREV = `${P.confDir}/postfix-restrictions.prev`;
/** Postfix's policy check against the agent (shared/admission.ts); a service that does not answer means 451, never 250. */
/**
 * Postfix asks the agent for every message; a failed question is a temporary refusal whatever the
 * admin set as the global smtpd_policy_service_default_action (DUNNO there would let mail in).
 */
const POLICY = `check_policy_service { inet:127.0.0.1:${ADMISSION.postfixPort}, timeout=${ADMISSION.postfixTimeoutS}s, default_action=DEFER }`;
/** Dovecot's main configuration, and the file of Failguard's that it includes while admission is on. */
const DOVECOT_CONF = '/etc/dovecot/dovecot.conf';
export const DOVECOT_ADMISSION = '/etc/dovecot/failguard-admission.conf';
/** Dovecot asks the agent before each sign-in; a policy server that fails or does not answer means a refusal. */
const DOVECOT_POLICY = `# Failguard: Dovecot asks this host's agent before each sign-in (provisioning wrote this; unprotect removes it).
auth_policy_server_url = http://127.0.0.1:${ADMISSION.dovecotPort}/
auth_policy_reject_on_fail = yes
auth_policy_check_before_auth = yes
auth_policy_check_after_auth = no
auth_policy_report_after_auth = no
auth_policy_server_timeout_msecs = 2000
`;

/**
 * Seconds without a fresh liveness stamp after which the supervisor stops the agent and the mail
 * services, when the stamp does not say: the agent writes `alive` every second as "UPTIME F", F
 * being its monitor's fence time, so a stamp older than F (on two looks half a second apart: a busy host's pause is not a hung
 * agent; shared/supervisor-pace.ts) ends it.
 */
export const LIVENESS_S = 10;

/**
 * The daemon's old generation starts at this many MB. Its live heap is about 12 MB, and V8 sized the
 * limit from that: with the young generation's 16 MB as slack, every promotion started a full
 * mark-compact. While a send streamed, that was one every half second (107 in a minute on the
 * source, measured with --trace-gc), a quarter of the agent's CPU, on cores the send itself needs.
 * With this start, 22 and 1 in the same minute. The cost is memory the heap may take before its
 * first full collection: tens of MB on a mail server.
 */
export const AGENT_OLD_SPACE_MB = 64;

/**
 * The supervisor: `agentd start|stop|restart|status|supervise|admission on|off|status`.
 * Besides restarting the agent, it fails closed around it: an agent whose liveness stamp is older
 * than its fence time F (hung, stopped, its disk refusing writes) is killed and the mail services are
 * stopped with the agent's own `unserve`; so are they when the agent crash-loops (three exits
 * within a minute). The agent starts them again once the witness confirms this host.
 * `admission on` makes Postfix ask the agent for every message (undone exactly by `admission off`).
 */
export const AGENTD = `#!/bin/sh
# Failguard agent supervisor: keeps the agent running, restarts it when it exits, fences around it.
set -u
NODE=${P.node}; AGENT=${P.agent}; CONF=${P.config}; PIDF=${P.pidFile}; LOG=${P.stateDir}/agent.out; STAMP=${P.stateDir}/alive; EVENTS=${P.stateDir}/events.jsonl
PREV=${ADMISSION_PREV}; LIVE=${LIVENESS_S}
# The daemon's heap starts at ${AGENT_OLD_SPACE_MB} MB: see AGENT_OLD_SPACE_MB in the app's host-layout.ts.
HEAP=--initial-old-space-size=${AGENT_OLD_SPACE_MB}
# The agent runs on its own runtime; nothing else from the host's PATH is needed but the system tools.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
running() { [ -f "$PIDF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null; }
# tenths UPTIME: "12345.67" as tenths of a second (123456); anything but such a number (no stamp yet, one being replaced) is 0,
# since an arithmetic error would end this shell.
tenths() { i=\${1%%.*}; d=\${1#"$i"}; d=\${d#.}; d=\${d%"\${d#?}"}; case "$i$d" in ''|*[!0-9]*) echo 0; return ;; esac; echo $(( i * 10 + \${d:-0} )); }
say() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) agentd: $*" >>"$LOG"; }
# fence ACTION MESSAGE: said in words and as the agent's own event record (its messages are fixed words, digits and no double quote).
fence() {
  say "$2; the mail services are stopped until the agent confirms this host again"
  printf '{"at":%s000,"kind":"supervisor","action":"%s","message":"%s; the mail services are stopped until the agent confirms this host again"}\\n' "$(date +%s)" "$1" "$2" >>"$EVENTS"
  "$NODE" "$AGENT" unserve "$CONF" --fence >>"$LOG" 2>&1
}
case "\${1:-}" in
  supervise)
    echo $$ > "$PIDF"
    child=""; exits=""; stopping=""
    # TERM only marks the stop; the loop below stops the agent (TERM, then KILL after 5 s) before it exits, so no agent outlives it.
    trap 'stopping=yes' TERM INT
    while [ -z "$stopping" ]; do
      # A stamp from the agent before (or from before a reboot) is not this one's: it gets the starting grace until it writes its own.
      rm -f "$STAMP"
      "$NODE" $HEAP "$AGENT" run "$CONF" >>"$LOG" 2>&1 &
      child=$!; born=$(tenths "$(cut -d' ' -f1 /proc/uptime)"); stale=0
      while [ -z "$stopping" ] && kill -0 "$child" 2>/dev/null; do
        sleep ${SUPERVISOR_POLL_S} & wait $!
        # Ages on the boot clock, in tenths of a second (the stamp holds the uptime the agent last wrote): a wall clock set back or forth changes nothing.
        now=$(tenths "$(cut -d' ' -f1 /proc/uptime)")
        # The stamp is "UPTIME F": when the agent last wrote it, and the fence time F of its monitor, which the stamp may not outlive.
        at=""; live=""; { read -r at live _ < "$STAMP"; } 2>/dev/null; at=$(tenths "$at")
        # F in whole seconds, one to five digits, no leading zero (dash's arithmetic would end this shell on 08 or a huge number).
        case "$live" in ''|0*|*[!0-9]*|??????*) live=$LIVE ;; esac
        [ "$live" -lt 2 ] && live=2; [ "$live" -gt 600 ] && live=$LIVE
        live=$(( live * 10 )); age=$(( now - at ))
        # An agent still starting (no stamp of its own yet: the one there is older than it) gets 30 s; mail waits meanwhile,
        # since an agent that has not been confirmed admits nothing.
        grace=$live; [ "$at" -lt "$born" ] && [ "$grace" -lt 300 ] && grace=300
        # A stamp from the future (written before a reboot) is no sign of life either; a tenth or so ahead is only the two readings' precision.
        if [ $((now - born)) -gt "$grace" ] && { [ "$age" -gt "$live" ] || [ "$age" -lt -10 ]; }; then stale=$((stale + 1)); else stale=0; fi
        if [ "$stale" -ge ${SUPERVISOR_STALE_CHECKS} ]; then
          kill -KILL "$child" 2>/dev/null
          if [ "$age" -lt 0 ]; then fence stale "the agent's liveness stamp is from the future (written before a reboot?), so it was killed"
          else fence stale "the agent's liveness stamp is $((age / 10)).$((age % 10)) s old (hung, stopped or unable to write), so it was killed"; fi
          break
        fi
      done
      [ -n "$stopping" ] && break
      wait "$child"
      now=$(cut -d' ' -f1 /proc/uptime | cut -d. -f1); recent=""
      for t in $exits $now; do [ $((now - t)) -lt 60 ] && recent="$recent $t"; done
      exits=$recent
      if [ $(echo $exits | wc -w) -ge 3 ]; then fence crash-loop "the agent exited three times within a minute"; exits=""; fi
      sleep ${RESTART_DELAY_S} & wait $!
    done
    kill "$child" 2>/dev/null
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do kill -0 "$child" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$child" 2>/dev/null; wait "$child" 2>/dev/null
    rm -f "$PIDF"; exit 0 ;;
  start)
    running && exit 0
    mkdir -p ${P.stateDir} && chmod 700 ${P.stateDir}
    if [ -d /run/systemd/system ] && [ -f ${P.unit} ]; then systemctl start failguard-agent; exit $?; fi
    setsid "$0" supervise </dev/null >/dev/null 2>&1 &
    for i in 1 2 3 4 5 6 7 8 9 10; do running && exit 0; sleep 0.2; done
    exit 1 ;;
  stop)
    if [ -d /run/systemd/system ] && [ -f ${P.unit} ]; then systemctl stop failguard-agent; fi
    if running; then
      kill "$(cat "$PIDF")"
      for i in $(seq 40); do running || break; sleep 0.25; done
      running && exit 1
    fi
    # No agent of this configuration outlives its supervisor (one left from a supervisor killed outright, say).
    # (An agent an earlier supervisor started has no heap flag.)
    pkill -KILL -f "^$NODE ($HEAP )?$AGENT run $CONF" 2>/dev/null; exit 0 ;;
  restart) "$0" stop && "$0" start ;;
  status) running ;;
  admission)
    # Postfix (where installed): the policy check first in smtpd_recipient_restrictions, the previous value kept for off.
    pf=""; command -v postconf >/dev/null 2>&1 && pf=$(postconf -h smtpd_recipient_restrictions)
    # Dovecot (where installed): its configuration includes Failguard's authentication policy.
    dv=""; [ -f ${DOVECOT_CONF} ] && dv=yes; inc='!include_try ${DOVECOT_ADMISSION}'
    case "\${2:-}" in
      on)
        if command -v postconf >/dev/null 2>&1; then
          # Every way in must ask: a service in master.cf with restrictions of its own would not, and Postfix before 3.0 cannot say it this way.
          over=$(postconf -P 2>/dev/null | grep '/smtpd_recipient_restrictions *=' | cut -d/ -f1,2 | tr '\\n' ' ')
          [ -z "$over" ] || { echo "Postfix's master.cf gives $over smtpd_recipient_restrictions of their own, so mail taken there would not ask Failguard's agent; add \\$failguard_admission in front of them (or remove them), then protect again" >&2; exit 3; }
          [ "$(postconf -h mail_version | cut -d. -f1)" -ge 3 ] 2>/dev/null || { echo "Postfix $(postconf -h mail_version) is older than 3.0, which Failguard's mail admission needs; upgrade Postfix, then protect again" >&2; exit 3; }
          case "$pf" in *'$failguard_admission'*)
            # On already: the question itself is brought up to date (an older Failguard asked without its own default action).
            [ "$(postconf -h failguard_admission 2>/dev/null)" = '${POLICY}' ] || { postconf -e 'failguard_admission = ${POLICY}' || exit 1; postfix status >/dev/null 2>&1 && postfix reload >/dev/null 2>&1; } ;;
          *)
          postconf -n smtpd_recipient_restrictions > "$PREV"
          postconf -e 'failguard_admission = ${POLICY}' "smtpd_recipient_restrictions = \\$failguard_admission\${pf:+, $pf}" || exit 1
          postfix status >/dev/null 2>&1 && postfix reload >/dev/null 2>&1 ;; esac; fi
        if [ -n "$dv" ]; then
          { cat <<'FG_DOVECOT'
${DOVECOT_POLICY}FG_DOVECOT
            echo "auth_policy_hash_nonce = $(head -c 18 /dev/urandom | base64)"; } > ${DOVECOT_ADMISSION}.tmp && chmod 640 ${DOVECOT_ADMISSION}.tmp && mv -f ${DOVECOT_ADMISSION}.tmp ${DOVECOT_ADMISSION} || exit 1
          grep -qxF "$inc" ${DOVECOT_CONF} || { [ -z "$(tail -c 1 ${DOVECOT_CONF})" ] || echo >> ${DOVECOT_CONF}; printf '%s\\n' "$inc" >> ${DOVECOT_CONF}; }
          doveadm reload >/dev/null 2>&1
        fi
        exit 0 ;;
      off)
        case "$pf" in *'$failguard_admission'*)
          # Exactly as before: the line that was set, or none at all (Postfix's default).
          if [ -s "$PREV" ]; then postconf -e "$(cat "$PREV")"
          elif [ -f "$PREV" ]; then postconf -X smtpd_recipient_restrictions
          # The record of what was there is gone: take out only Failguard's part, never the rest.
          else rest=$(printf '%s' "$pf" | sed 's/^[$]failguard_admission,* *//'); if [ -n "$rest" ]; then postconf -e "smtpd_recipient_restrictions = $rest"; else postconf -X smtpd_recipient_restrictions; fi
          fi && postconf -X failguard_admission && rm -f "$PREV"
          postfix status >/dev/null 2>&1 && postfix reload >/dev/null 2>&1 ;; esac
        if [ -n "$dv" ] && grep -qxF "$inc" ${DOVECOT_CONF}; then
          grep -vxF "$inc" ${DOVECOT_CONF} > ${DOVECOT_CONF}.failguard-tmp && cat ${DOVECOT_CONF}.failguard-tmp > ${DOVECOT_CONF} && rm -f ${DOVECOT_CONF}.failguard-tmp ${DOVECOT_ADMISSION}
          doveadm reload >/dev/null 2>&1
        fi
        exit 0 ;;
      status)
        if command -v postconf >/dev/null 2>&1; then case "$pf" in *'$failguard_admission'*) [ "$(postconf -h failguard_admission 2>/dev/null)" = '${POLICY}' ] || exit 1 ;; *) exit 1 ;; esac; fi
        if [ -n "$dv" ]; then grep -qxF "$inc" ${DOVECOT_CONF} && [ -f ${DOVECOT_ADMISSION} ] || exit 1; fi
        exit 0 ;;
      *) echo "usage: agentd admission on|off|status" >&2; exit 64 ;;
    esac ;;
${BOOT}  *) echo "usage: agentd start|stop|restart|status|admission on|off|status|boot on|off|status" >&2; exit 64 ;;
esac
`;

