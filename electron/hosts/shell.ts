/** The quoting helpers live in shared/quote.ts (the agent and the app use the same ones). */
export { shq, shellCommand } from '../../shared/quote.ts';
