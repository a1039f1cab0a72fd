/** The agent's version: provisioning compares it (and the file's checksum) to decide on an upgrade. */
export const AGENT_VERSION = '0.1.0';
