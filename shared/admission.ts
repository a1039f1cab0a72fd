/**
 * Mail admission: where a protected server's mail software asks its Failguard agent, for every
 * message and every sign-in, whether this host may take mail at this moment. Both listen on the
 * host's loopback only, on privileged ports: only root (the agent) can bind them, so no local
 * user can answer in the agent's place while it restarts. A question nobody answers (the agent
 * stopped, frozen, crash-looping or gone) is a temporary refusal: Postfix's policy client answers
 * 451 when its policy service fails, never 250; Dovecot refuses the sign-in.
 */
export const ADMISSION = {
  /** Postfix's policy delegation protocol (check_policy_service), from smtpd at RCPT TO. */
  postfixPort: 740,
  /** How long smtpd waits for an answer before it gives up (and defers the message). */
  postfixTimeoutS: 5,
  /** Dovecot's authentication policy (HTTP, JSON), asked before each sign-in; a policy server that fails means a refusal (`auth_policy_reject_on_fail`). */
  dovecotPort: 741,
} as const;
