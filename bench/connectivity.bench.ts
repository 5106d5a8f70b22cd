// `npx tsx bench/connectivity.bench.ts`: time of the connectivity view (buildConnectivityMatrix
// over the compiled objects) and of the compile limits, for the documents of issue 10:
// one contract of 400 × 400 networks, the 5,000-network synthetic document, and the
// 2,000 × 2,000 contract that the limits refuse. Best of a few runs, in this process.
import { compileWithinLimits } from '../src/core/compiler/compile-network-policies.js';
import { buildConnectivityMatrix } from '../src/core/connectivity/connectivity-matrix.js';
import { parsePolicyDocument } from '../src/core/document/parse-policy-document.js';
import type { NormalisedDocument } from '../src/core/document/policy-document.types.js';
import { createEvaluator } from '../src/core/evaluator/evaluate-network-policies.js';
import type { NetworkPolicy } from '../src/core/kube/network-policy.types.js';
import { isEmptyPortSet } from '../src/core/ports/port-set.js';
import { findDuplicateKeys } from '../src/core/document/json-duplicate-keys.js';
import { syntheticDocument } from './synthetic-document.js';

const RUNS = 3;

function parse(raw: unknown): NormalisedDocument {
  const r = parsePolicyDocument(raw);
  if (!r.ok) throw new Error(`invalid document: ${JSON.stringify(r.errors.slice(0, 3))}`);
  return r.document;
}

function contract(providers: number, consumers: number): NormalisedDocument {
  const names = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i}`);
  return parse({
    namespaces: ['mms'],
    contracts: {
      c1: {
        provide_networks: names('p', providers),
        consume_networks: names('c', consumers),
        ports: [{ port: 443 }],
      },
    },
  });
}

function best<T>(f: () => T, runs = RUNS): { ms: number; value: T } {
  let ms = Infinity;
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    value = f();
    ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms, value };
}

function compiled(doc: NormalisedDocument): NetworkPolicy[] {
  const r = compileWithinLimits(doc);
  if (!r.ok) throw new Error(r.errors[0].message);
  return r.objects;
}

/** The previous algorithm, one evaluator call per (source, destination): for comparison. */
function pairByPairCells(doc: NormalisedDocument, objects: NetworkPolicy[]): number {
  const ev = createEvaluator(
    objects,
    doc.namespaces.map((name) => ({ name, labels: {} })),
  );
  const key = doc.options.labelKey;
  let cells = 0;
  for (const namespace of doc.namespaces)
    for (const d of doc.networks)
      for (const s of [...doc.networks.map((n) => ({ [key]: n })), {}])
        if (
          !isEmptyPortSet(
            ev.allowedPorts(
              { kind: 'pod', pod: { namespace, labels: s } },
              { namespace, labels: { [key]: d } },
            ),
          )
        )
          cells++;
  return cells;
}

const row = (name: string, compileMs: number, objects: number, ms: number, cells: number) =>
  console.log(
    `${name.padEnd(34)} ${compileMs.toFixed(0).padStart(8)} ${String(objects).padStart(8)} ${ms.toFixed(0).padStart(16)} ${String(cells).padStart(9)}`,
  );

console.log(`connectivity benchmark (best of ${RUNS}; node ${process.version})`);
console.log('document                           compile   objects  connectivity ms     cells');
for (const [name, doc] of [
  ['contract 100 × 100', contract(100, 100)],
  ['contract 400 × 400', contract(400, 400)],
  ['synthetic 1,000 networks × 3 ns', parse(syntheticDocument(1000))],
  ['synthetic 5,000 networks × 3 ns', parse(syntheticDocument(5000))],
] as const) {
  const c = best(() => compiled(doc));
  const m = best(() => buildConnectivityMatrix(doc, c.value));
  row(name, c.ms, c.value.length, m.ms, m.value.cells.length);
}

const small = contract(100, 100);
const reference = best(() => pairByPairCells(small, compiled(small)), 1);
console.log(
  `pair-by-pair evaluation (the previous algorithm), contract 100 × 100: ${reference.ms.toFixed(0)} ms for ${reference.value} cells`,
);

const huge = contract(2000, 2000);
const refused = best(() => compileWithinLimits(huge));
console.log(
  `contract 2,000 × 2,000: refused in ${refused.ms.toFixed(1)} ms (${refused.value.ok ? 'NOT refused' : refused.value.errors[0].code})`,
);
const big = parse(syntheticDocument(20_000));
const allowed = best(() => compileWithinLimits(big), 1);
console.log(
  `synthetic 20,000 networks × 3 ns: ${allowed.value.ok ? `compiles within the default limits (${allowed.value.objects.length} objects)` : `REFUSED: ${allowed.value.errors[0].message}`} in ${allowed.ms.toFixed(0)} ms`,
);

// The duplicate-key scan runs over every JSON body before it is parsed: it must stay linear.
const body = `{${Array.from({ length: 100_000 }, (_, i) => `"key-${i}":{"v":[${i},"s\\"${i}"]}`).join(',')},"key-7":0}`;
const scanned = best(() => findDuplicateKeys(body));
console.log(
  `duplicate-key scan of a ${(body.length / 1e6).toFixed(1)} MB body with 100,001 keys: ${scanned.ms.toFixed(0)} ms (${scanned.value.length} found)`,
);
