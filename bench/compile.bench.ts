// `npm run bench:compile`: time and peak memory of validate + compile for documents of
// 10 to 5,000 networks (about twice as many contracts, 3 namespaces). Each size runs in its
// own child process so that its peak RSS is its own.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compileDocument } from '../src/core/compiler/compile-document.js';
import { syntheticDocument } from './synthetic-document.js';

const SIZES = [10, 100, 1000, 2500, 5000];
const RUNS = 5;

function measure(networks: number): { ms: number; objects: number; peakRssMb: number } {
  const doc = syntheticDocument(networks);
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
  return { ms: best, objects, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

const child = process.argv[2];
if (child) {
  process.stdout.write(JSON.stringify(measure(Number(child))));
} else {
  const self = fileURLToPath(import.meta.url);
  console.log(`compile benchmark (validate + compile, best of ${RUNS}; node ${process.version})`);
  console.log('networks  contracts  objects   time (ms)   peak RSS (MB)');
  const results = new Map<number, { ms: number; objects: number; peakRssMb: number }>();
  for (const n of SIZES) {
    const out = execFileSync(process.execPath, [...process.execArgv, self, String(n)], {
      encoding: 'utf8',
    });
    const r = JSON.parse(out) as { ms: number; objects: number; peakRssMb: number };
    results.set(n, r);
    console.log(
      `${String(n).padStart(8)}  ${String(n * 2).padStart(9)}  ${String(r.objects).padStart(7)}  ${r.ms.toFixed(1).padStart(10)}  ${r.peakRssMb.toFixed(0).padStart(14)}`,
    );
  }
  const ratio = results.get(5000)!.ms / results.get(2500)!.ms;
  console.log(`growth 2,500 → 5,000 networks: ${ratio.toFixed(2)}× the time (target ≤ 2.2×)`);
  console.log(
    `5,000 networks: ${results.get(5000)!.ms.toFixed(0)} ms (target < 1000 ms), peak RSS ${results.get(5000)!.peakRssMb.toFixed(0)} MB (target < 500 MB)`,
  );
}
