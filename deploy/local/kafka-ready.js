// Waits until a Kafka broker answers a metadata request: `node kafka-ready.js HOST:PORT TIMEOUT_S [PID]`.
// Exits 0 when ready, 1 on timeout or when the broker process PID died first.
'use strict';
const path = require('path');
const { Kafka, logLevel } = require(require.resolve('kafkajs', { paths: [path.resolve(__dirname, '../..')] }));

const [broker, timeoutS = '90', pid] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutS) * 1000;

function alive(p) {
  try { process.kill(Number(p), 0); return true; } catch { return false; }
}

async function main() {
  const kafka = new Kafka({ clientId: 'kafka-ready', brokers: [broker], logLevel: logLevel.NOTHING, connectionTimeout: 1000, requestTimeout: 3000, retry: { retries: 0 } });
  let lastError = 'no attempt';
  while (Date.now() < deadline) {
    if (pid && !alive(pid)) { console.error(`[kafka-ready] broker process ${pid} exited`); process.exit(1); }
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      // Listing topics needs the metadata log loaded, not just an open socket.
      await admin.listTopics();
      await admin.disconnect();
      if (cluster.brokers.length > 0) process.exit(0);
    } catch (e) {
      lastError = e && e.message ? e.message : String(e);
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  console.error(`[kafka-ready] ${broker} not ready in ${timeoutS}s: ${lastError}`);
  process.exit(1);
}
main();
