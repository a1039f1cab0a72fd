/**
 * The encrypted store for the secrets a saved job needs later (the directory password, alert
 * and TSIG credentials): `<data>/secrets.json`, each entry sealed with AES-256-GCM under one
 * data key, the entry's name bound as associated data (an entry moved under another name does
 * not open). The data key never lies on disk in the clear: the desktop app wraps it with
 * Electron's safeStorage (the OS keychain); `serve` and the CLI derive it with scrypt from a
 * key file the person supplies. Without either, nothing is kept: secrets are asked each time.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb } from 'node:crypto';
import { open as openFile, readFile, mkdir, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { UserError, plainMessage } from '../../shared/errors.ts';
import { writeFileAtomic } from '../backend/atomic-file.ts';

const scrypt = promisify(scryptCb) as (pw: Buffer, salt: Buffer, len: number, o: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/** Where the data key comes from. */
export type KeySource =
  /** The OS keychain (Electron's safeStorage): it wraps a random data key kept in the store. */
  | { kind: 'keychain'; wrap(key: Buffer): Buffer; unwrap(blob: Buffer): Buffer }
  /** A key file the person supplies (`--secret-key-file`): its bytes, stretched with scrypt. */
  | { kind: 'key-file'; file: string };

interface Sealed { iv: string; tag: string; data: string }
interface StoreFile {
  version: 1;
  key: { kind: 'keychain'; wrapped: string } | { kind: 'scrypt'; salt: string; N: number; r: number; p: number };
  /** A known text sealed under the key: a wrong key is told at open, not at first use. */
  check: Sealed;
  entries: Record<string, Sealed>;
}

const CHECK = 'failguard secret store';

function seal(key: Buffer, name: string, text: string): Sealed {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(name));
  const data = Buffer.concat([c.update(text, 'utf8'), c.final()]);
  return { iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function open(key: Buffer, name: string, s: Sealed): string {
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'base64'));
  d.setAAD(Buffer.from(name));
  d.setAuthTag(Buffer.from(s.tag, 'base64'));
  return Buffer.concat([d.update(Buffer.from(s.data, 'base64')), d.final()]).toString('utf8');
}

async function keyFileBytes(file: string): Promise<Buffer> {
  const b = await readFile(file).catch((e) => { throw new UserError('secret-key', `The secret store's key file ${file} cannot be read: ${plainMessage(e)}. Give the file you started with, or make one (for example: head -c 32 /dev/urandom > ${file}; chmod 600 ${file}).`); });
  if (b.length < 16) throw new UserError('secret-key', `The secret store's key file ${file} holds ${b.length} bytes; a key needs at least 16 random bytes (head -c 32 /dev/urandom > ${file}).`);
  return b;
}

export class SecretStore {
  readonly #file: string;
  readonly #key: Buffer;
  readonly #store: StoreFile;
  /** How the key is kept, in words for the UI (never the key). */
  readonly keptBy: string;

  private constructor(file: string, key: Buffer, store: StoreFile, keptBy: string) {
    this.#file = file;
    this.#key = key;
    this.#store = store;
    this.keptBy = keptBy;
  }

  /** Opens the store at `file` (made on first use); a wrong key or a damaged file is refused with one sentence and left as it is. */
  static async open(file: string, source: KeySource): Promise<SecretStore> {
    const keptBy = source.kind === 'keychain' ? 'the system keychain' : `the key file ${source.file}`;
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
    if (text === null) {
      const { key, header } = await newKey(source);
      const store: StoreFile = { version: 1, key: header, check: seal(key, '', CHECK), entries: {} };
      const s = new SecretStore(file, key, store, keptBy);
      await s.#write();
      return s;
    }
    let store: StoreFile;
    try {
      store = JSON.parse(text) as StoreFile;
      if (store.version !== 1 || !store.check || typeof store.entries !== 'object') throw new Error('not a store');
    } catch {
      throw new UserError('secret-store', `${file} is not a Failguard secret store (it may be damaged); move it away to start a new one. It was left as it is.`);
    }
    const key = await keyOf(store, source, file);
    try {
      if (open(key, '', store.check) !== CHECK) throw new Error('check');
    } catch {
      throw new UserError('secret-key', `The secret store ${file} does not open with ${keptBy}: it was made with another key. Give the key it was made with; nothing was changed.`);
    }
    return new SecretStore(file, key, store, keptBy);
  }

  get(name: string): string | null {
    const s = this.#store.entries[name];
    return s ? open(this.#key, name, s) : null;
  }

  /** The names kept under a prefix (never the values). */
  names(prefix: string): string[] {
    return Object.keys(this.#store.entries).filter((n) => n.startsWith(prefix)).sort();
  }

  /**
   * Changes entries, on top of what the file holds now: another process (the desktop app, `serve`,
   * a CLI command) may have written since this one opened it, and its entries must not be lost.
   */
  async set(entries: Record<string, string | null>): Promise<void> {
    await this.#locked(async () => {
      const now = await readFile(this.#file, 'utf8').then((t) => JSON.parse(t) as StoreFile, (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
      if (now && JSON.stringify(now.key) !== JSON.stringify(this.#store.key)) {
        throw new UserError('secret-store', `${this.#file} was replaced by another store since Failguard opened it; start Failguard again. Nothing was changed.`);
      }
      if (now && typeof now.entries === 'object') this.#store.entries = { ...now.entries };
      for (const [name, value] of Object.entries(entries)) {
        if (value === null) delete this.#store.entries[name];
        else this.#store.entries[name] = seal(this.#key, name, value);
      }
      await this.#write();
    });
  }

  /** One writer at a time across processes: a lock file made exclusively, waited for up to 10 s; one older than a minute is a crashed writer's. */
  async #locked<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(dirname(this.#file), { recursive: true, mode: 0o700 });
    const lock = `${this.#file}.lock`;
    for (let i = 0; ; i++) {
      try {
        await (await openFile(lock, 'wx', 0o600)).close();
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const age = await stat(lock).then((x) => Date.now() - x.mtimeMs, () => 0);
        if (age > 60_000) await rm(lock, { force: true });
        else if (i >= 200) throw new UserError('secret-store', `${this.#file} is being written by another Failguard for too long (${lock}); try again, or remove that file if no Failguard runs.`);
        else await new Promise((r) => setTimeout(r, 50));
      }
    }
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  }

  async #write(): Promise<void> {
    await mkdir(dirname(this.#file), { recursive: true, mode: 0o700 });
    // On disk before it replaces the old file, and the folder's entry too: the job's keys live here, and a power
    // loss must leave the old store or the new one whole, never a torn one (a lost CA key would re-key every agent).
    await writeFileAtomic(this.#file, `${JSON.stringify(this.#store, null, 1)}\n`, { durable: true });
  }
}

const SCRYPT = { N: 2 ** 15, r: 8, p: 1 };
const stretch = (bytes: Buffer, salt: Buffer, o: { N: number; r: number; p: number }) => scrypt(bytes, salt, 32, { ...o, maxmem: 256 * o.N * o.r });

async function newKey(source: KeySource): Promise<{ key: Buffer; header: StoreFile['key'] }> {
  if (source.kind === 'keychain') {
    const key = randomBytes(32);
    return { key, header: { kind: 'keychain', wrapped: source.wrap(key).toString('base64') } };
  }
  const salt = randomBytes(16);
  return { key: await stretch(await keyFileBytes(source.file), salt, SCRYPT), header: { kind: 'scrypt', salt: salt.toString('base64'), ...SCRYPT } };
}

async function keyOf(store: StoreFile, source: KeySource, file: string): Promise<Buffer> {
  if (store.key.kind !== (source.kind === 'keychain' ? 'keychain' : 'scrypt')) {
    throw new UserError('secret-key', `The secret store ${file} was made ${store.key.kind === 'keychain' ? 'by the desktop app, with the system keychain' : 'with a key file'}; open it the same way. Nothing was changed.`);
  }
  if (store.key.kind === 'keychain' && source.kind === 'keychain') {
    try {
      return source.unwrap(Buffer.from(store.key.wrapped, 'base64'));
    } catch (e) {
      throw new UserError('secret-key', `The system keychain could not open the secret store's key (${plainMessage(e)}); sign in as the same user on the same computer. Nothing was changed.`);
    }
  }
  const k = store.key as Extract<StoreFile['key'], { kind: 'scrypt' }>;
  return stretch(await keyFileBytes((source as { file: string }).file), Buffer.from(k.salt, 'base64'), k);
}
