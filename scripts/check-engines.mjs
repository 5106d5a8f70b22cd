// `npm run check:engines`: every package in package-lock.json (dependencies, dev
// dependencies, optional platform packages) must support every Node version that package.json's
// `engines.node` admits, so that the declared range is true. Prints the offenders and exits 1.
import { readFileSync } from 'node:fs';
import semver from 'semver';

const root = new URL('..', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8'));
const declared = manifest.engines?.node;
if (!declared) {
  console.error('package.json declares no engines.node');
  process.exit(1);
}

const offenders = [];
for (const [path, entry] of Object.entries(lock.packages ?? {})) {
  const needs = entry.engines?.node;
  if (!path || !needs) continue;
  let ok;
  try {
    ok = semver.subset(declared, needs);
  } catch {
    ok = false; // a range semver cannot read is no promise either
  }
  if (!ok) {
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    offenders.push(`${name}@${entry.version} needs node ${needs}${entry.dev ? ' (dev)' : ''}`);
  }
}

const current = process.versions.node;
const runs = semver.satisfies(current, declared);
if (offenders.length > 0) {
  console.error(`engines.node is "${declared}", but these packages do not support all of it:`);
  for (const o of offenders.sort()) console.error(`  - ${o}`);
  process.exit(1);
}
if (!runs) {
  console.error(`this is node ${current}, outside engines.node "${declared}"`);
  process.exit(1);
}
console.log(
  `engines.node "${declared}" holds for ${Object.keys(lock.packages).length - 1} packages; running node ${current}`,
);
