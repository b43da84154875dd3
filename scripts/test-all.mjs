#!/usr/bin/env node
// Runs the whole test suite: type check, then every test on SQLite, again on PostgreSQL (TEST_DATABASE_URL,
// or the local server when it answers), then the browser journeys. Ends with one plain line
// "N passed, N failed" summed from the runners' JSON reports, which is what CI reads.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const reports = path.join(root, 'test-results');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

let passed = 0;
let failed = 0;
let broken = false;

function run(label, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${label} ===\n`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  process.stdout.write(`=== ${label}: exit ${r.status} after ${Math.round((Date.now() - started) / 1000)} s ===\n`);
  return r.status ?? 1;
}

function vitest(label, config, env, file) {
  const out = path.join(reports, file);
  const code = run(label, 'npx', ['vitest', 'run', '--config', config, '--reporter=default', '--reporter=json', `--outputFile=${out}`], env);
  if (!existsSync(out)) {
    process.stdout.write(`${label}: the runner wrote no report (exit ${code}); counting it as a failure.\n`);
    failed += 1;
    broken = true;
    return;
  }
  const report = JSON.parse(readFileSync(out, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A file that fails to load has no tests but fails the run.
  const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0);
  failed += brokenFiles.length;
  if (code !== 0 && report.numFailedTests === 0 && brokenFiles.length === 0) broken = true;
  process.stdout.write(`${label}: ${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles.length} failed\n`);
}

async function postgresUrl() {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  const fallback = 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: fallback, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return fallback;
  } catch {
    return null;
  }
}

if (run('type check', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) !== 0) {
  failed += 1;
  broken = true;
}

vitest('tests on SQLite', 'vitest.config.ts', { TEST_DATABASE_URL: '' }, 'sqlite.json');

const pgUrl = await postgresUrl();
if (pgUrl) {
  vitest('tests on PostgreSQL', 'vitest.config.ts', { TEST_DATABASE_URL: pgUrl }, 'postgres.json');
} else {
  process.stdout.write('\nPostgreSQL is not reachable (set TEST_DATABASE_URL); the PostgreSQL pass did not run.\n');
}

const e2eDir = path.join(root, 'test/e2e');
const hasE2e = existsSync(e2eDir) && readdirSync(e2eDir).some((f) => f.endsWith('.e2e.test.ts'));
if (hasE2e) {
  if (existsSync(path.join(root, 'web/index.html')) && run('web build', 'npm', ['run', 'build:web']) !== 0) {
    failed += 1;
    broken = true;
  }
  vitest('browser tests', 'vitest.e2e.config.ts', { TEST_DATABASE_URL: '' }, 'e2e.json');
}

process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || broken ? 1 : 0);
