// `npm run bench:compile`: time and peak memory of validate + compile for documents of
// 10 to 20,000 networks (about twice as many contracts, 3 namespaces). Each size runs in its
// own child process so that its peak RSS is its own. Growth is checked for linearity at each
// doubling from 2,500 networks on, and the JSON size of each document is shown (the policy and
// compile routes take up to DOCUMENT_LIMIT_BYTES, 16 MiB by default).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compileDocument } from '../src/core/compiler/compile-document.js';
import { syntheticDocument } from './synthetic-document.js';

const SIZES = [10, 100, 1000, 2500, 5000, 10_000, 20_000];
const RUNS = 5;

interface Measure {
  ms: number;
  objects: number;
  peakRssMb: number;
  jsonBytes: number;
}

function measure(networks: number): Measure {
  const doc = syntheticDocument(networks);
  const jsonBytes = Buffer.byteLength(JSON.stringify(doc));
  let best = Infinity;
  let objects = 0;
  for (let run = 0; run < RUNS; run++) {
    const t0 = process.hrtime.bigint();
    const r = compileDocument(doc);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (!r.ok)
      throw new Error(`synthetic document invalid: ${JSON.stringify(r.errors.slice(0, 3))}`);
    objects = r.objects.length;
    best = Math.min(best, ms);
  }
  return { ms: best, objects, peakRssMb: process.resourceUsage().maxRSS / 1024, jsonBytes };
}

const child = process.argv[2];
if (child) {
  process.stdout.write(JSON.stringify(measure(Number(child))));
} else {
  const self = fileURLToPath(import.meta.url);
  console.log(`compile benchmark (validate + compile, best of ${RUNS}; node ${process.version})`);
  console.log('networks  contracts  objects  document (MB)   time (ms)   peak RSS (MB)');
  const results = new Map<number, Measure>();
  for (const n of SIZES) {
    const out = execFileSync(process.execPath, [...process.execArgv, self, String(n)], {
      encoding: 'utf8',
    });
    const r = JSON.parse(out) as Measure;
    results.set(n, r);
    console.log(
      `${String(n).padStart(8)}  ${String(n * 2).padStart(9)}  ${String(r.objects).padStart(7)}  ${(r.jsonBytes / 2 ** 20).toFixed(1).padStart(12)}  ${r.ms.toFixed(1).padStart(10)}  ${r.peakRssMb.toFixed(0).padStart(14)}`,
    );
  }
  for (const [from, to] of [
    [2500, 5000],
    [5000, 10_000],
    [10_000, 20_000],
  ]) {
    const ratio = results.get(to)!.ms / results.get(from)!.ms;
    console.log(
      `growth ${from.toLocaleString('en')} → ${to.toLocaleString('en')} networks: ${ratio.toFixed(2)}× the time (linear: 2×; target ≤ 2.2×)${ratio > 2.2 ? '  ← above target' : ''}`,
    );
  }
  // The slope of time against size on a log-log scale, over 2,500 → 20,000 networks: 1 is
  // linear; steadier than one doubling on a busy machine.
  const slope = Math.log(results.get(20_000)!.ms / results.get(2500)!.ms) / Math.log(20_000 / 2500);
  console.log(`growth exponent 2,500 → 20,000 networks: ${slope.toFixed(2)} (1 = linear)`);
  console.log(
    `5,000 networks: ${results.get(5000)!.ms.toFixed(0)} ms (target < 1000 ms), peak RSS ${results.get(5000)!.peakRssMb.toFixed(0)} MB (target < 500 MB)`,
  );
  console.log(
    `20,000 networks: ${results.get(20_000)!.ms.toFixed(0)} ms, peak RSS ${results.get(20_000)!.peakRssMb.toFixed(0)} MB, a ${(results.get(20_000)!.jsonBytes / 2 ** 20).toFixed(1)} MB document (DOCUMENT_LIMIT_BYTES default 16 MiB)`,
  );
}
