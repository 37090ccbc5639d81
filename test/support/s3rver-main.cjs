// Runs s3rver in its own process for tests (see s3.ts): node --openssl-legacy-provider
// s3rver-main.cjs <dir> <bucket>. Prints {"port": n} once listening; exits when stdin closes.
// The legacy provider is needed because s3rver makes ListObjectsV2 continuation tokens
// with DES, which OpenSSL 3 only has there.
'use strict';
const S3rver = require('s3rver');

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
server.run().then(
  (addr) => process.stdout.write(`${JSON.stringify({ port: addr.port })}\n`),
  (e) => {
    process.stderr.write(`${e.stack}\n`);
    process.exit(1);
  },
);
const stop = () => server.close().finally(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
