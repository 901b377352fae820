// The Node client against the real server: BackInStockNotificationRequestService.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import client from '../src/client.js';
import { REQUESTS_MODIFY, REQUESTS_READ, WIX_STORES_APP_ID, startServer } from './server.mjs';

const { call, connect, errorInfo, status } = client;

const server = await startServer();
const opened = [];
function clients(site, role) {
  const c = connect(server.address, { identityToken: server.identityToken(site, role) });
  opened.push(c);
  return c;
}
after(async () => {
  for (const c of opened) { c.settings.close(); c.notificationRequests.close(); c.email.close(); }
  await server.stop();
});

const newRequest = (item, email) => ({
  request: { catalogReference: { catalogItemId: item, appId: WIX_STORES_APP_ID }, email },
  itemDetails: { name: 'Mug', price: '12.50' },
});

async function collecting(site) {
  await call(clients(site, 'user').settings, 'StartCollectingRequests', { appId: WIX_STORES_APP_ID });
}

describe('notification requests', () => {
  test('create then get', async () => {
    await collecting('node-get');
    const { request } = await call(clients('node-get', 'visitor').notificationRequests,
      'CreateBackInStockNotificationRequest', newRequest('item-1', 'jane@example.com'));
    assert.equal(request.status, 'RECEIVED');
    const got = await call(clients('node-get', 'user').notificationRequests,
      'GetBackInStockNotificationRequest', { id: request.id });
    assert.deepEqual(got.request, request);
  });

  test('mark as notification sent with elevation', async () => {
    await collecting('node-mark');
    const member = clients('node-mark', 'member');
    const { request } = await call(member.notificationRequests,
      'CreateBackInStockNotificationRequest', newRequest('item-2', 'joe@example.com'));
    const marked = await call(member.notificationRequests, 'MarkAsNotificationSent',
      { id: request.id }, { elevationToken: server.elevationToken('node-mark', [REQUESTS_MODIFY]) });
    assert.equal(marked.request.status, 'NOTIFICATION_SENT');
    assert.deepEqual(marked.request.autoNotified, { value: false });
  });

  test('a duplicate is decoded into its ErrorInfo with the existing id', async () => {
    await collecting('node-dup');
    const visitor = clients('node-dup', 'visitor');
    const { request } = await call(visitor.notificationRequests,
      'CreateBackInStockNotificationRequest', newRequest('item-3', 'ann@example.com'));
    const error = await call(visitor.notificationRequests, 'CreateBackInStockNotificationRequest',
      newRequest('item-3', 'ann@example.com')).then(() => assert.fail('should fail'), (e) => e);
    assert.equal(error.code, status.ALREADY_EXISTS);
    const info = errorInfo(error);
    assert.equal(info.reason, 'BACK_IN_STOCK_NOTIFICATION_REQUEST_ALREADY_EXISTS');
    assert.equal(info.metadata.id, request.id);
  });

  test('export and erase a customer\'s data', async () => {
    await collecting('node-pd');
    const visitor = clients('node-pd', 'visitor');
    const ids = [];
    for (const [item, email] of [['item-4', 'Sam@Example.com'], ['item-5', 'sam@example.com']]) {
      const { request } = await call(visitor.notificationRequests,
        'CreateBackInStockNotificationRequest', newRequest(item, email));
      ids.push(request.id);
    }
    const { request: kept } = await call(visitor.notificationRequests,
      'CreateBackInStockNotificationRequest', newRequest('item-4', 'other@example.com'));

    const refused = await call(visitor.notificationRequests, 'EraseCustomerData',
      { email: 'sam@example.com' }).then(() => assert.fail('should fail'), (e) => e);
    assert.equal(refused.code, status.PERMISSION_DENIED);
    assert.equal(errorInfo(refused).reason, 'ELEVATION_REQUIRED');

    const exported = await call(visitor.notificationRequests, 'ExportCustomerData',
      { email: 'SAM@example.com' },
      { elevationToken: server.elevationToken('node-pd', [REQUESTS_READ]) });
    assert.deepEqual(exported.requests.map((r) => r.id), ids);

    const owner = clients('node-pd', 'user');
    const erased = await call(owner.notificationRequests, 'EraseCustomerData',
      { email: 'sam@example.com' });
    assert.equal(erased.erasedCount, 2);
    assert.deepEqual([...erased.erasedRequestIds].sort(), [...ids].sort());
    const left = await call(owner.notificationRequests, 'ExportCustomerData',
      { email: 'other@example.com' });
    assert.deepEqual(left.requests.map((r) => r.id), [kept.id]);
  });
});
