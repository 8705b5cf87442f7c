// Starts a Cognate server of the Node suite's own, for tests that need
// flags the shared servers lack (--lambda-endpoint, --kms-endpoint).
// scripts/nodetest.sh names the binary in COGNATE_BIN and the KMS
// stand-in (internal/kmscrypt/kmstest) in COGNATE_KMS_ENDPOINT.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function envOrThrow(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run the Node suite with scripts/nodetest.sh`);
  }
  return v.replace(/\/+$/, '');
}

/**
 * Starts `cognate serve` on a free loopback port with extra flags. Resolves
 * with { url, stop() }; the server's output is kept for the error of a
 * server that does not start.
 */
export async function startCognate(flags = []) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cognate-node-'));
  const child = spawn(envOrThrow('COGNATE_BIN'), [
    'serve', '--listen', '127.0.0.1:0', '--db', path.join(dir, 'cognate.db'), '--key-file', path.join(dir, 'cognate.key'),
    '--region', 'us-east-1', '--log-level', 'info', ...flags,
  ], {
    // The Lambda and KMS clients sign with the standard credential chain.
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDCOGNATETEST', AWS_SECRET_ACCESS_KEY: 'not-a-secret', AWS_EC2_METADATA_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cognate did not start:\n${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const m = /msg="cognate listening" addr=(\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(`http://${m[1]}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cognate exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
