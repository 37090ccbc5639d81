/**
 * The bare-HTTP floor (scenario 2): a minimal node:http server that reads the request body
 * and answers a fixed JSON of the size of an MNIST OIP v2 answer. What any Node server
 * pays for HTTP alone. Prints {"event":"ready","port"}.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const answer = JSON.stringify({
  model_name: 'mnist',
  model_version: '1',
  outputs: [{ name: 'logits', datatype: 'FP32', shape: [1, 10], data: [-3.1, -4.2, 1.5, 0.25, -7.7, -2.2, -5.5, 9.875, -1.25, 0.5].map((v) => v + 0.123456) }],
});
const s = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
});
s.keepAliveTimeout = 65_000;
s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ event: 'ready', port: (s.address() as AddressInfo).port })));
process.on('SIGTERM', () => process.exit(0));
