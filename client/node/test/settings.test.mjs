// The Node client against the real server: BackInStockSettingsService.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import client from '../src/client.js';
import { SETTINGS_MODIFY, WIX_STORES_APP_ID, startServer } from './server.mjs';

const { badRequest, call, connect, errorInfo, status } = client;

let server;
const opened = [];
function clients(site, role) {
  const c = connect(server.address, { identityToken: role && server.identityToken(site, role) });
  opened.push(c);
  return c;
}

before(async () => { server = await startServer(); });
after(async () => {
  for (const c of opened) { c.settings.close(); c.notificationRequests.close(); c.email.close(); }
  await server.stop();
});

test('get returns the default settings', async () => {
  const { settings } = await call(clients('node-get', 'member').settings, 'GetSettings', {});
  assert.deepEqual(settings, {
    collectionStates: [{ appId: WIX_STORES_APP_ID, collectingRequests: false }],
    revision: '0',
  });
});

test('start with elevation', async () => {
  const site = 'node-elevated';
  const visitor = clients(site, 'visitor');
  const { settings } = await call(visitor.settings, 'StartCollectingRequests',
    { appId: WIX_STORES_APP_ID },
    { elevationToken: server.elevationToken(site, [SETTINGS_MODIFY]) });
  assert.equal(settings.collectionStates[0].collectingRequests, true);
  assert.equal(settings.revision, '1');
  const read = await call(visitor.settings, 'GetSettings', {});
  assert.deepEqual(read.settings, settings);
});

test('an error is decoded into its ErrorInfo', async () => {
  const visitor = clients('node-denied', 'visitor');
  const error = await call(visitor.settings, 'StartCollectingRequests', { appId: WIX_STORES_APP_ID })
    .then(() => assert.fail('the call should have been denied'), (e) => e);
  assert.equal(error.code, status.PERMISSION_DENIED);
  const info = errorInfo(error);
  assert.equal(info.reason, 'ELEVATION_REQUIRED');
  assert.equal(info.domain, 'backinstock.v1');
  assert.equal(info.metadata.permission, SETTINGS_MODIFY);
  assert.equal(badRequest(error), null);
  // Nothing happened.
  assert.equal((await call(visitor.settings, 'GetSettings', {})).settings.revision, '0');
});

test('an invalid argument names the field', async () => {
  const error = await call(clients('node-invalid', 'user').settings, 'StartCollectingRequests',
    { appId: 'not-a-guid' }).then(() => assert.fail('should fail'), (e) => e);
  assert.equal(error.code, status.INVALID_ARGUMENT);
  assert.deepEqual(badRequest(error).fieldViolations.map((v) => v.field), ['app_id']);
});

test('no token is unauthenticated', async () => {
  const error = await call(clients('node-anonymous', null).settings, 'GetSettings', {})
    .then(() => assert.fail('should fail'), (e) => e);
  assert.equal(error.code, status.UNAUTHENTICATED);
  assert.equal(errorInfo(error).reason, 'TOKEN_MISSING');
});
