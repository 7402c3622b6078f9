import { hashSecret, newKeySecret, writeKeyFile, type KeyRecord } from '../../src/identity/key-file.js';

export interface TestKey { id: string; secret: string; record: KeyRecord }

/** Writes a key file the way `tollgate keys create` does and returns the secrets. */
export function writeKeys(file: string, specs: Array<Partial<KeyRecord> & { subject: string }>): TestKey[] {
  const keys = specs.map((spec) => {
    const { id, secret } = newKeySecret();
    const record: KeyRecord = {
      id, hash: hashSecret(secret), models: [], scopes: [], tools: [], created_at: new Date().toISOString(), expires_at: null, disabled: false, ...spec,
    };
    return { id, secret, record };
  });
  writeKeyFile(file, keys.map((k) => k.record));
  return keys;
}
