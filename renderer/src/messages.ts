/** The UI's words, in one place. */
export const messages = {
  appTitle: 'Failguard',
  tagline: 'Exchange protection with failover',
  notBuilt: 'This step is not available yet in this version of Failguard.',
  connecting: 'Connecting to Failguard…',
  stepLocked: 'Not open yet',
  stepNotBuilt: 'Not available yet',
  stepOpen: 'Open',
} as const;
