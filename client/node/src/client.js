'use strict';
// Node.js client of the Back In Stock services: @grpc/grpc-js over the
// project's own .proto files, loaded at run time by @grpc/proto-loader (no
// generated code to keep in sync). Messages use the proto3 JSON names
// (collectionStates, appId, ...); int64 values are strings, enums are names.
//
//   const { connect, call, elevation, errorInfo } = require('backinstock-client');
//   const clients = connect('127.0.0.1:50051', { identityToken });
//   const { settings } = await call(clients.settings, 'GetSettings', {});

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

// Where the .proto files live: this repository's proto/, google/protobuf from
// Debian's libprotobuf-dev, google/rpc from golang-github-gogo-googleapis-dev.
const PROTO_DIR = process.env.BACKINSTOCK_PROTO_DIR || path.resolve(__dirname, '../../../proto');
const PROTOBUF_INCLUDE_DIR = process.env.BACKINSTOCK_PROTOBUF_INCLUDE_DIR || '/usr/include';
const GOOGLEAPIS_DIR =
  process.env.BACKINSTOCK_GOOGLEAPIS_DIR || '/usr/share/gocode/src/github.com/gogo/googleapis';
const INCLUDE_DIRS = [PROTO_DIR, PROTOBUF_INCLUDE_DIR, GOOGLEAPIS_DIR];

const DETAILS_KEY = 'grpc-status-details-bin';
const ERROR_INFO_URL = 'type.googleapis.com/google.rpc.ErrorInfo';
const BAD_REQUEST_URL = 'type.googleapis.com/google.rpc.BadRequest';

let services;
function loadServices() {
  if (!services) {
    const definition = protoLoader.loadSync(
      ['backinstock/v1/settings.proto', 'backinstock/v1/notification_requests.proto',
        'backinstock/v1/email.proto'],
      { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true,
        includeDirs: INCLUDE_DIRS });
    const v1 = grpc.loadPackageDefinition(definition).backinstock.v1;
    services = {
      settings: v1.BackInStockSettingsService,
      notificationRequests: v1.BackInStockNotificationRequestService,
      email: v1.BackInStockEmailService,
    };
  }
  return services;
}

let rpcTypes;
function loadRpcTypes() {
  if (!rpcTypes) {
    const root = new protobuf.Root();
    root.resolvePath = (origin, target) => {
      for (const dir of INCLUDE_DIRS) {
        const candidate = path.join(dir, target);
        if (fs.existsSync(candidate)) return candidate;
      }
      return target;
    };
    root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
    rpcTypes = {
      Status: root.lookupType('google.rpc.Status'),
      ErrorInfo: root.lookupType('google.rpc.ErrorInfo'),
      BadRequest: root.lookupType('google.rpc.BadRequest'),
    };
  }
  return rpcTypes;
}

// Sends `authorization: Bearer <token>` with every call. An interceptor rather
// than call credentials: grpc-js only combines those with TLS channels, and
// local development runs plaintext.
function identityInterceptor(identityToken) {
  return (options, nextCall) => new grpc.InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      metadata.set('authorization', `Bearer ${identityToken}`);
      next(metadata, listener);
    },
  });
}

// Clients of every service for `target` ("host:port"). Options:
//   identityToken  sent with every call
//   tls            { rootCerts, privateKey, certChain } (Buffers, all optional): TLS
//   channelOptions gRPC channel options
function connect(target, { identityToken, tls, channelOptions } = {}) {
  const credentials = tls
    ? grpc.credentials.createSsl(tls.rootCerts || null, tls.privateKey || null, tls.certChain || null)
    : grpc.credentials.createInsecure();
  const options = { ...(channelOptions || {}) };
  if (identityToken) options.interceptors = [identityInterceptor(identityToken)];
  const { settings, notificationRequests, email } = loadServices();
  return {
    settings: new settings(target, credentials, options),
    notificationRequests: new notificationRequests(target, credentials, options),
    email: new email(target, credentials, options),
  };
}

// Metadata for one elevated call.
function elevation(elevationToken) {
  const metadata = new grpc.Metadata();
  metadata.set('x-elevation-token', elevationToken);
  return metadata;
}

// Calls a unary RPC and returns a promise of its response. Options:
//   elevationToken  sent as x-elevation-token with this call
//   deadlineMs      deadline (default 30 s)
// A failed call rejects with grpc-js's error (code, details, metadata).
function call(client, method, request, { elevationToken, deadlineMs = 30000 } = {}) {
  const metadata = elevationToken ? elevation(elevationToken) : new grpc.Metadata();
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline: Date.now() + deadlineMs },
      (error, response) => (error ? reject(error) : resolve(response)));
  });
}

// The google.rpc.Status of a failed call, or null.
function statusDetails(error) {
  const values = error && error.metadata ? error.metadata.get(DETAILS_KEY) : [];
  if (!values.length) return null;
  return loadRpcTypes().Status.decode(values[0]);
}

function detail(error, url, type) {
  const status = statusDetails(error);
  const any = status && status.details.find((d) => d.type_url === url || d.typeUrl === url);
  return any ? type.toObject(type.decode(any.value), { defaults: true }) : null;
}

// The google.rpc.ErrorInfo ({ reason, domain, metadata }) of a failed call, or null.
function errorInfo(error) {
  return detail(error, ERROR_INFO_URL, loadRpcTypes().ErrorInfo);
}

// The google.rpc.BadRequest ({ fieldViolations: [{ field, description }] }), or null.
function badRequest(error) {
  return detail(error, BAD_REQUEST_URL, loadRpcTypes().BadRequest);
}

module.exports = { connect, call, elevation, errorInfo, badRequest, statusDetails, loadServices,
  status: grpc.status };
