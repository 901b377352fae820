// The Node client against the real server: BackInStockEmailService.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import client from '../src/client.js';
import { EMAIL_MANAGE, startServer } from './server.mjs';

const { badRequest, call, connect, errorInfo, status } = client;

let server;
const opened = [];
function clients(site, role) {
  const c = connect(server.address, { identityToken: server.identityToken(site, role) });
  opened.push(c);
  return c;
}

before(async () => { server = await startServer(); });
after(async () => {
  for (const c of opened) { c.settings.close(); c.notificationRequests.close(); c.email.close(); }
  await server.stop();
});

test('update by field mask, preview, and a refused placeholder', async () => {
  const { email } = clients('node-email', 'user');
  const initial = await call(email, 'GetEmailTemplate', {});
  assert.equal(initial.template.revision, '0');
  assert.equal(initial.template.buttonText, 'Shop now');

  const updated = await call(email, 'UpdateEmailTemplate', {
    template: { heading: 'Guess what is back', buttonText: 'Get it' },
    updateMask: { paths: ['heading', 'button_text'] },
    expectedRevision: '0',
  });
  assert.equal(updated.template.revision, '1');
  assert.equal(updated.template.heading, 'Guess what is back');
  assert.equal(updated.template.buttonText, 'Get it');

  const preview = await call(email, 'RenderEmailPreview', {
    itemDetails: { name: 'Lamp & Shade', price: '40' },
    itemUrl: 'https://shop.example.com/lamp',
  });
  assert.equal(preview.subject, 'Lamp & Shade is back in stock');
  assert.match(preview.html, /Lamp &amp; Shade/);
  assert.match(preview.html, /Get it/);
  assert.match(preview.text, /https:\/\/shop\.example\.com\/lamp/);

  const error = await call(email, 'UpdateEmailTemplate', {
    template: { footer: '{{> partial}}' }, updateMask: { paths: ['footer'] },
  }).then(() => assert.fail('should fail'), (e) => e);
  assert.equal(error.code, status.INVALID_ARGUMENT);
  assert.equal(errorInfo(error).reason, 'INVALID_TEMPLATE');
  assert.deepEqual(badRequest(error).fieldViolations.map((v) => v.field), ['template.footer']);

  // Another editor saves on top of revision 1; an editor still holding 1 is told.
  const second = await call(email, 'UpdateEmailTemplate', {
    template: { heading: 'Second edit' }, updateMask: { paths: ['heading'] }, expectedRevision: '1',
  });
  assert.equal(second.template.revision, '2');
  const stale = await call(email, 'UpdateEmailTemplate', {
    template: { heading: 'Too late' }, updateMask: { paths: ['heading'] }, expectedRevision: '1',
  }).then(() => assert.fail('should fail'), (e) => e);
  assert.equal(stale.code, status.ABORTED);
  assert.equal(errorInfo(stale).reason, 'REVISION_MISMATCH');
});

test('a member needs an elevation granting EMAIL_MANAGE', async () => {
  const { email } = clients('node-email-member', 'member');
  const error = await call(email, 'GetEmailTemplate', {}).then(() => assert.fail('denied'), (e) => e);
  assert.equal(error.code, status.PERMISSION_DENIED);
  assert.equal(errorInfo(error).reason, 'ELEVATION_REQUIRED');
  assert.equal(errorInfo(error).metadata.permission, EMAIL_MANAGE);
  const read = await call(email, 'GetEmailTemplate', {},
    { elevationToken: server.elevationToken('node-email-member', [EMAIL_MANAGE]) });
  assert.equal(read.template.revision, '0');
});
