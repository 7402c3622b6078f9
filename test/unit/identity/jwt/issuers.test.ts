import { loadConfig } from '../../../../src/config/load.js';
import { trustIssuers } from '../../../../src/identity/jwt/issuers.js';
import { tempDir, writeFile } from '../../../helpers/tollgate.js';

describe('trusting issuers at load time', () => {
  const events = { now: Date.now, onKeys: () => undefined, onKeysError: () => undefined };
  const jwtConfig = (secretFile: string) => loadConfig({
    TOLLGATE_IDENTITY__JWT__ISSUERS: JSON.stringify([{ issuer: 'https://hs.example', audiences: ['tollgate'], shared_secret_file: secretFile }]),
  }).identity.jwt;

  test('a shared secret shorter than the hash output is ERR_ISSUER_INVALID', () => {
    const file = writeFile(tempDir(), 'secret', 'x'.repeat(31));
    expect(() => trustIssuers(jwtConfig(file), events)).toThrow(expect.objectContaining({ code: 'ERR_ISSUER_INVALID' }));
  });

  test('32 bytes make a symmetric issuer', () => {
    const file = writeFile(tempDir(), 'secret', 'x'.repeat(32));
    expect(trustIssuers(jwtConfig(file), events).get('https://hs.example')).toMatchObject({ symmetric: true });
  });
});
