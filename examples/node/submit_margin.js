#!/usr/bin/env node
// riskcap's gRPC API from Node.js (@grpc/grpc-js + @grpc/proto-loader, straight from protos/):
// submit one margin report, then list the fund's submissions for that reference date.
//
//   cd examples/node && npm ci
//   RISKCAP_TOKEN=rk_... node submit_margin.js --server 127.0.0.1:50051 --fund 1000 \
//       --date 2026-11-20 --local 1500000.25 --offshore 250000 --methodology "Historical VaR 99%"
//
// Prints two JSON lines: the receipt, then {"submissions": [...]} (proto field names, int64 as
// strings, money as exact decimal strings). On an error: one line on stderr and exit code 1 (2 for
// bad arguments): "error: <CODE>: invalid fields: <field> (<why>); ..." decoded from the
// google.rpc.BadRequest in the status trailer, else "error: <CODE>: <message>".
'use strict';

const crypto = require('crypto');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const PROTO_ROOT = path.resolve(__dirname, '..', '..', 'protos');
const CALL_TIMEOUT_MS = 30000;
// google/rpc/status.proto and error_details.proto (Debian: golang-github-gogo-googleapis-dev).
const GOOGLEAPIS_ROOT = process.env.GOOGLEAPIS_PROTO_ROOT ||
  '/usr/share/gocode/src/github.com/gogo/googleapis';

function usage(message) {
  process.stderr.write(`error: ${message}\n` +
    'usage: submit_margin.js --fund N --local AMOUNT --offshore AMOUNT --methodology TEXT\n' +
    '       [--date YYYY-MM-DD] [--server HOST:PORT] [--token KEY] [--request-id ID]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const args = {
    server: process.env.RISKCAP_SERVER || '127.0.0.1:50051',
    token: process.env.RISKCAP_TOKEN || '',
    date: new Date().toISOString().slice(0, 10),
    requestId: crypto.randomUUID(),
  };
  const names = { '--server': 'server', '--token': 'token', '--fund': 'fund', '--date': 'date',
    '--local': 'local', '--offshore': 'offshore', '--methodology': 'methodology',
    '--request-id': 'requestId' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key) usage(`unknown option ${argv[i]}`);
    if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
    args[key] = argv[i + 1];
  }
  for (const required of ['fund', 'local', 'offshore', 'methodology']) {
    if (args[required] === undefined) usage(`--${required} is required`);
  }
  if (!args.token) usage('an API key is required: --token or RISKCAP_TOKEN');
  return args;
}

function loadServices() {
  const definition = protoLoader.loadSync(path.join(PROTO_ROOT, 'riskcap/v1/margin.proto'), {
    includeDirs: [PROTO_ROOT],
    keepCase: true,   // proto field names, as the other examples print them
    longs: String,    // int64 ids as strings: no precision loss
    enums: String,
    defaults: true,
  });
  return grpc.loadPackageDefinition(definition).riskcap.v1;
}

// Calls a unary method with the bearer token and a deadline, as a promise.
function call(client, method, request, token) {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  const deadline = new Date(Date.now() + CALL_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline }, (error, response) =>
      (error ? reject(error) : resolve(response)));
  });
}

function timestampToIso(ts) {
  if (!ts) return ts;
  const millis = Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6);
  return new Date(millis).toISOString();
}

// "field (why); field (why)" from the google.rpc.BadRequest in the status trailer, or '' when the
// error carries none (or the googleapis protos are not installed).
function fieldViolations(error) {
  const details = error.metadata && error.metadata.get('grpc-status-details-bin')[0];
  if (!details) return '';
  let root;
  try {
    root = new protobuf.Root();
    root.resolvePath = (_origin, target) => path.join(GOOGLEAPIS_ROOT, target);
    root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
  } catch (_) {
    return '';
  }
  const status = root.lookupType('google.rpc.Status').decode(details);
  const badRequest = root.lookupType('google.rpc.BadRequest');
  const violations = [];
  for (const any of status.details) {
    if (any.type_url !== 'type.googleapis.com/google.rpc.BadRequest') continue;
    for (const v of badRequest.decode(any.value).fieldViolations) {
      violations.push(`${v.field} (${v.description})`);
    }
  }
  return violations.join('; ');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const v1 = loadServices();
  const client = new v1.MarginService(args.server, grpc.credentials.createInsecure());
  try {
    const receipt = await call(client, 'SubmitMargin', {
      request_id: args.requestId, fund_id: args.fund, reference_date: args.date,
      local_margin: args.local, offshore_margin: args.offshore, methodology: args.methodology,
    }, args.token);
    receipt.receive_time = timestampToIso(receipt.receive_time);
    process.stdout.write(`${JSON.stringify(receipt)}\n`);
    const listed = await call(client, 'ListSubmissions', {
      fund_id: args.fund, start_date: args.date, end_date: args.date, page_size: 100,
    }, args.token);
    const submissions = listed.submissions.map((s) => ({
      submission_id: s.submission_id, fund_id: s.fund_id, reference_date: s.reference_date,
      local_margin: s.local_margin, offshore_margin: s.offshore_margin,
      consolidated_margin: s.consolidated_margin, state: s.state, request_id: s.request_id,
    }));
    process.stdout.write(`${JSON.stringify({ submissions })}\n`);
    return 0;
  } catch (error) {
    const code = grpc.status[error.code] || error.code;
    const violations = fieldViolations(error);
    process.stderr.write(violations ? `error: ${code}: invalid fields: ${violations}\n`
      : `error: ${code}: ${error.details || error.message}\n`);
    return 1;
  } finally {
    client.close();
  }
}

main().then((code) => process.exit(code));
