// Load generator for the sustained-throughput measure, in its own process so that the server
// under test keeps its core: `node bench/load-client.mjs <port> <path> <headers-json> <body> <concurrency> <total>`.
import { Agent, request } from 'node:http';

const [port, path, headersJson, body, concurrencyArg, totalArg] = process.argv.slice(2);
const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Host: `127.0.0.1:${port}`, ...JSON.parse(headersJson) };
const agent = new Agent({ keepAlive: true, maxSockets: Number(concurrencyArg) });
const total = Number(totalArg);
let started = 0;
let failed = 0;
const one = () =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(port), path, method: 'POST', agent, headers }, (res) => {
      if (res.statusCode !== 200) failed++;
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
const t0 = performance.now();
await Promise.all(
  Array.from({ length: Number(concurrencyArg) }, async () => {
    while (started < total) {
      started++;
      await one();
    }
  }),
);
console.log(JSON.stringify({ secs: (performance.now() - t0) / 1000, total, failed }));
agent.destroy();
