#!/usr/bin/env node
import { processIo, runCli } from './cli.js';

// The `gbp-netpol` command (package.json `bin`; from source: `npm run cli -- ARGS`).
process.exitCode = await runCli(process.argv.slice(2), processIo());
