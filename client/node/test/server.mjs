// Runs the real backinstock-server ($BACKINSTOCK_SERVER_BINARY) for the Node
// client tests, on 127.0.0.1:0 with random keys; the address comes from its
// readiness line. Tokens are minted here (HS256, as the server expects).
import { spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const READY = 'backinstock-server listening on ';
export const WIX_STORES_APP_ID = '215238eb-22a5-4c36-9e7b-e7c08025e04e';
export const SETTINGS_MODIFY = 'ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_SETTINGS';
export const REQUESTS_MODIFY = 'ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_REQUESTS';
export const REQUESTS_READ = 'ECOM.READ_BACK_IN_STOCK_NOTIFICATION_REQUESTS';
export const EMAIL_MANAGE = 'ECOM.MANAGE_BACK_IN_STOCK_EMAIL';

const b64 = (buffer) => Buffer.from(buffer).toString('base64url');

function sign(kid, secret, claims) {
  const input = `${b64(JSON.stringify({ alg: 'HS256', kid, typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${b64(createHmac('sha256', secret).update(input).digest())}`;
}

export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'backinstock-node-'));
  const identitySecret = randomBytes(32);
  const elevationSecret = randomBytes(32);
  const keysFile = join(dir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify({
    identity_keys: { 'node-identity': b64(identitySecret) },
    elevation_keys: { 'node-elevation': b64(elevationSecret) },
  }));
  // Only the flags below configure the server, whatever the environment says.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('BACKINSTOCK_')));
  const child = spawn(process.env.BACKINSTOCK_SERVER_BINARY,
    [`--keys_file=${keysFile}`, '--listen=127.0.0.1:0', `--audit_log=${join(dir, 'audit')}`],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once('exit', resolve));

  // The readiness line, or the reason there is none. The reader keeps
  // consuming stdout afterwards, so the server never blocks on it.
  const lines = createInterface({ input: child.stdout });
  const address = await new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith(READY)) resolve(line.slice(READY.length).trim());
    });
    exited.then((code) => reject(new Error(`backinstock-server exited (${code}): ${stderr}`)));
  });

  const now = () => Math.floor(Date.now() / 1000);
  return {
    address,
    identityToken: (site, role) => sign('node-identity', identitySecret, {
      aud: 'backinstock', sub: 'node-test', site, role, iat: now(), exp: now() + 3600,
    }),
    elevationToken: (site, perms) => sign('node-elevation', elevationSecret, {
      aud: 'backinstock-elevation', sub: 'node-backend', site, perms, jti: randomUUID(),
      iat: now(), exp: now() + 60,
    }),
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
