// Wix's own JavaScript SDK (@wix/sdk with the two back-in-stock packages from
// npm), unchanged, drives every method through createClient({ fetch }) whose
// fetch sends Wix's URLs to this server's HTTP front. Needs
// BACKINSTOCK_SERVER_BINARY (set by ctest).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { createClient } from '@wix/sdk';
import * as settings from '@wix/auto_sdk_ecom_back-in-stock-settings';
import * as requests from '@wix/auto_sdk_ecom_back-in-stock-notifications';

const STORES_APP = '215238eb-22a5-4c36-9e7b-e7c08025e04e';
const SETTINGS_MODIFY = 'ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_SETTINGS';
const HTTP_READY = 'backinstock-server http listening on ';
const READY = 'backinstock-server listening on ';
const b64 = (buffer) => Buffer.from(buffer).toString('base64url');

function sign(kid, secret, claims) {
  const input = `${b64(JSON.stringify({ alg: 'HS256', kid, typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${b64(createHmac('sha256', secret).update(input).digest())}`;
}

let server;

// The real server with its HTTP front on a free port.
async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'backinstock-wix-sdk-'));
  const identitySecret = randomBytes(32);
  const elevationSecret = randomBytes(32);
  const keysFile = join(dir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify({
    identity_keys: { 'sdk-identity': b64(identitySecret) },
    elevation_keys: { 'sdk-elevation': b64(elevationSecret) },
  }));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('BACKINSTOCK_')));
  const child = spawn(process.env.BACKINSTOCK_SERVER_BINARY,
    [`--keys_file=${keysFile}`, '--listen=127.0.0.1:0', '--http_listen=127.0.0.1:0',
      '--audit_log=/dev/null', `--mail_dir=${join(dir, 'mail')}`],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout });
  let httpAddress;
  await new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith(HTTP_READY)) httpAddress = line.slice(HTTP_READY.length).trim();
      if (line.startsWith(READY)) resolve();
    });
    exited.then((code) => reject(new Error(`backinstock-server exited (${code}): ${stderr}`)));
  });
  const now = () => Math.floor(Date.now() / 1000);
  return {
    httpAddress,
    identityToken: (site, role) => sign('sdk-identity', identitySecret, {
      aud: 'backinstock', sub: 'sdk-test', site, role, iat: now(), exp: now() + 3600,
    }),
    elevationToken: (site, perms) => sign('sdk-elevation', elevationSecret, {
      aud: 'backinstock-elevation', sub: 'sdk-backend', site, perms, jti: randomUUID(),
      iat: now(), exp: now() + 60,
    }),
    // SIGTERM, and SIGKILL if the server has not exited within 15 s, so that
    // a server stuck in shutdown fails the test instead of outliving it.
    async stop() {
      child.kill('SIGTERM');
      let timer;
      const stuck = new Promise((resolve) => { timer = setTimeout(() => resolve('stuck'), 15000); });
      const outcome = await Promise.race([exited, stuck]);
      clearTimeout(timer);
      if (outcome === 'stuck') {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
      assert.notEqual(outcome, 'stuck', `backinstock-server did not exit on SIGTERM: ${stderr}`);
    },
  };
}

// A Wix SDK client whose requests go to the front: Wix's URL, our host.
// `seen` records each request's method and path, to show what went over the wire.
function clientFor(identity, elevation, seen = []) {
  return createClient({
    modules: { settings, requests },
    auth: {
      getAuthHeaders: async () => ({
        headers: {
          Authorization: `Bearer ${identity}`,
          ...(elevation ? { 'x-elevation-token': elevation } : {}),
        },
      }),
    },
    fetch: (url, init) => {
      const target = new URL(url.toString());
      seen.push(`${init?.method ?? 'GET'} ${target.pathname}${target.search}`);
      return fetch(`http://${server.httpAddress}${target.pathname}${target.search}`, init);
    },
  });
}

before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('settings: get, start, stop through the SDK', async () => {
  const seen = [];
  const owner = clientFor(server.identityToken('sdk-settings', 'user'), undefined, seen);
  const initial = await owner.settings.getSettings();
  assert.deepEqual(initial.settings.collectionStates,
    [{ appId: STORES_APP, collectingRequests: false }]);
  const started = await owner.settings.startCollectingRequests(STORES_APP);
  assert.equal(started.settings.collectionStates[0].collectingRequests, true);
  assert.equal(started.settings.revision, '1');
  const stopped = await owner.settings.stopCollectingRequests(STORES_APP);
  assert.equal(stopped.settings.collectionStates[0].collectingRequests, false);
  assert.ok(seen.some((line) => line.startsWith('PUT /back-in-stock-service/v1/')), seen.join('\n'));
});

test('settings errors carry applicationError codes', async () => {
  const owner = clientFor(server.identityToken('sdk-settings-errors', 'user'));
  await assert.rejects(owner.settings.startCollectingRequests('11111111-2222-3333-4444-555555555555'),
    (e) => e.details?.applicationError?.code === 'NOT_SUPPORTED_APP_DEF_ID');
  const visitor = clientFor(server.identityToken('sdk-settings-errors', 'visitor'));
  await assert.rejects(visitor.settings.startCollectingRequests(STORES_APP),
    (e) => e.details?.applicationError?.code === 'ELEVATION_REQUIRED');
  const elevated = clientFor(server.identityToken('sdk-settings-errors', 'visitor'),
    server.elevationToken('sdk-settings-errors', [SETTINGS_MODIFY]));
  const started = await elevated.settings.startCollectingRequests(STORES_APP);
  assert.equal(started.settings.collectionStates[0].collectingRequests, true);
  const anonymous = clientFor('not-a-token');
  await assert.rejects(anonymous.settings.getSettings(),
    (e) => e.details?.applicationError?.code === 'TOKEN_INVALID');
  await assert.rejects(owner.settings.startCollectingRequests('not-a-guid'),
    (e) => e.details?.validationError?.fieldViolations?.[0]?.field === 'appId');
});

test('notification requests: every method through the SDK', async () => {
  const site = 'sdk-requests';
  const seen = [];
  const owner = clientFor(server.identityToken(site, 'user'), undefined, seen);
  const visitor = clientFor(server.identityToken(site, 'visitor'));
  const item = { catalogItemId: 'shirt', appId: STORES_APP, options: { color: 'blue' } };
  const details = { name: 'Shirt', price: '10.00' };

  await assert.rejects(
    visitor.requests.createBackInStockNotificationRequest(
      { catalogReference: item, email: 'ann@example.com' }, details),
    (e) => e.details?.applicationError?.code === 'REQUEST_COLLECTION_DISABLED');
  await owner.settings.startCollectingRequests(STORES_APP);

  const created = await visitor.requests.createBackInStockNotificationRequest(
    { catalogReference: item, email: 'ann@example.com', itemUrl: 'https://shop.example/shirt' },
    details);
  assert.equal(created.status, 'RECEIVED');
  assert.ok(created._id);
  await assert.rejects(
    visitor.requests.createBackInStockNotificationRequest(
      { catalogReference: item, email: 'ann@example.com' }, details),
    (e) => e.details?.applicationError?.code === 'BACK_IN_STOCK_NOTIFICATION_REQUEST_ALREADY_EXISTS');

  const got = await owner.requests.getBackInStockNotificationRequest(created._id);
  assert.equal(got._id, created._id);
  assert.equal(got.email, 'ann@example.com');

  const counts = await owner.requests.getBackInStockNotificationRequestsCountByCatalogReferences([item]);
  assert.equal(counts.countsPerCatalogReference[0].count, 1);

  const page = await owner.requests.queryBackInStockNotificationRequests()
    .eq('status', 'RECEIVED').limit(10).find();
  assert.deepEqual(page.items.map((r) => r._id), [created._id]);
  // The SDK sent the query as a GET with the whole request in `.r=`.
  assert.ok(seen.some((line) => /^GET \/back-in-stock-service\/v1\/back-in-stock-notification-requests\?\.r=/.test(line)),
    seen.join('\n'));

  const marked = await owner.requests.markAsNotificationSent(created._id);
  assert.equal(marked.request.status, 'NOTIFICATION_SENT');
  assert.equal(marked.request.autoNotified, false);

  const second = await visitor.requests.createBackInStockNotificationRequest(
    { catalogReference: item, email: 'bob@example.com' }, details);
  await owner.requests.reportItemsBackInStock(details, { requestIds: [second._id] });

  await owner.requests.deleteBackInStockNotificationRequest(created._id);
  await assert.rejects(owner.requests.getBackInStockNotificationRequest(created._id),
    (e) => e.details?.applicationError?.code === 'BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND');
  await assert.rejects(owner.requests.markAsNotificationSent(created._id),
    (e) => e.details?.applicationError?.code === 'BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND');
});
