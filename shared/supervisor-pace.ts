/**
 * The supervisor's pace (`agentd supervise`, electron/provision/host-layout.ts), which the
 * failover timing's bounds count on (agent/src/monitor/rules.ts servingBounds): it looks at the
 * agent every SUPERVISOR_POLL_S, kills it once its liveness stamp has been older than F on
 * SUPERVISOR_STALE_CHECKS looks in a row, and starts another RESTART_DELAY_S after one exits.
 * AGENT_START_S is what Node takes to start the agent (or its `unserve`) on a busy host.
 */
export const SUPERVISOR_POLL_S = 0.5;
export const SUPERVISOR_STALE_CHECKS = 2;
export const RESTART_DELAY_S = 0.5;
export const AGENT_START_S = 1;
