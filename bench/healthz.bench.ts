// `npm run bench:healthz`: /healthz latency while the heaviest allowed requests run. The
// service runs as a process (ROLE=api, PGlite); two clients keep POSTing the largest document
// the default limits and body size allow to /v1/compile/connectivity (the 5,000-network
// synthetic document, about 76,000 cells) while a third samples /healthz every 20 ms.
// Prints p50/p99/max of /healthz idle and under that load, and the heavy requests' times.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppProcess } from '../test/support/app-process.js';
import { syntheticDocument } from './synthetic-document.js';

const SAMPLE_MS = 20;
const LOAD_SECONDS = 20;
const secret = `gbpn_${randomBytes(24).toString('base64url')}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  return `n=${s.length} p50=${percentile(s, 50).toFixed(1)} ms p99=${percentile(s, 99).toFixed(1)} ms max=${s[s.length - 1].toFixed(1)} ms`;
}

async function sampleHealthz(url: string, until: () => boolean): Promise<number[]> {
  const out: number[] = [];
  while (!until()) {
    const t0 = performance.now();
    const res = await fetch(`${url}/healthz`);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`/healthz answered ${res.status}`);
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
  }
  return out;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gbp-bench-healthz-'));
  const body = JSON.stringify(syntheticDocument(5000));
  const app = await startAppProcess({
    DATA_DIR: dataDir,
    QUEUE_PREFIX: `gbp-bench-${randomBytes(4).toString('hex')}`,
    API_TOKENS: `bench:admin:${secret}`,
    ROLE: 'api',
    LOG_LEVEL: 'warn',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    BODY_LIMIT_BYTES: String(16 * 1024 * 1024),
  });
  try {
    console.log(
      `/healthz under load (node ${process.version}; heavy request: ${(body.length / 1e6).toFixed(1)} MB document to /v1/compile/connectivity, 2 at a time)`,
    );
    const idleEnd = Date.now() + 5_000;
    console.log(`idle:       ${summary(await sampleHealthz(app.url, () => Date.now() > idleEnd))}`);

    let stop = false;
    const heavy: number[] = [];
    const statuses = new Map<number, number>();
    const client = async () => {
      while (!stop) {
        const t0 = performance.now();
        const res = await fetch(`${app.url}/v1/compile/connectivity`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body,
        });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        heavy.push(performance.now() - t0);
      }
    };
    const loadEnd = Date.now() + LOAD_SECONDS * 1000;
    const clients = [client(), client()];
    const loaded = await sampleHealthz(app.url, () => Date.now() > loadEnd);
    stop = true;
    await Promise.all(clients);
    console.log(`under load: ${summary(loaded)}`);
    console.log(
      `heavy requests: ${summary(heavy)}; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
