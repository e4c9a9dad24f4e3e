/**
 * A real mosquitto broker for tests: its own config file in a temp folder, a free port on
 * 127.0.0.1, started and stopped by the test (and restarted on the same port, to rehearse a
 * broker outage). Optional TLS (certificates made with openssl by `makeCertificates`) and a
 * password file (made with mosquitto_passwd).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MosquittoOptions {
  /** A folder of the test's own (config, password file, logs). */
  dir: string;
  /** A fixed port (restarts keep it); a free one by default. */
  port?: number;
  /** Serve TLS with these PEM files instead of plain MQTT; `requireClientCert` asks clients for one signed by `ca`. */
  tls?: { ca: string; cert: string; key: string; requireClientCert?: boolean };
  /** Require a login; otherwise anonymous clients are allowed. */
  users?: Record<string, string>;
  /** Extra mosquitto.conf lines. */
  extra?: string[];
  /** Print the broker's log to stderr (debugging a test). */
  verbose?: boolean;
}

export interface Mosquitto {
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>` or `mqtts://localhost:<port>`. */
  readonly url: string;
  /** Start again on the same port (after `stop`). */
  start(): Promise<void>;
  /** Stop (SIGTERM, then SIGKILL if it lingers); resolves when the process has exited. */
  stop(): Promise<void>;
  readonly running: boolean;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a broker; call `stop` in `t.after`. */
export async function startMosquitto(options: MosquittoOptions): Promise<Mosquitto> {
  const port = options.port ?? (await freePort());
  const conf = join(options.dir, `mosquitto-${port}.conf`);
  const lines = [
    `listener ${port} ${options.tls ? 'localhost' : '127.0.0.1'}`,
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    // Root would otherwise drop to the "mosquitto" user, which cannot read the test's files.
    ...(process.getuid?.() === 0 ? [`user ${userInfo().username}`] : []),
    ...(options.tls ? [`cafile ${options.tls.ca}`, `certfile ${options.tls.cert}`, `keyfile ${options.tls.key}`, `require_certificate ${options.tls.requireClientCert === true ? 'true' : 'false'}`] : []),
    ...options.extra ?? [],
  ];
  if (options.users) {
    const file = join(options.dir, `passwd-${port}`);
    writeFileSync(file, '');
    for (const [user, password] of Object.entries(options.users)) await run('mosquitto_passwd', ['-b', file, user, password]);
    lines.push(`password_file ${file}`, 'allow_anonymous false');
  } else {
    lines.push('allow_anonymous true');
  }
  writeFileSync(conf, `${lines.join('\n')}\n`);

  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    if (child) throw new Error('mosquitto is already running');
    const proc = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`mosquitto did not start within 10 s:\n${output.join('\n')}`)), 10_000);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        proc.kill('SIGKILL');
        child = null;
        reject(err);
      };
      const onLine = (line: string): void => {
        if (options.verbose) process.stderr.write(`[mosquitto ${port}] ${line}\n`);
        if (output.length < 200) output.push(line);
        if (/ running$/.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      };
      if (proc.stdout) createInterface({ input: proc.stdout }).on('line', onLine);
      if (proc.stderr) createInterface({ input: proc.stderr }).on('line', onLine);
      proc.once('exit', (code) => fail(new Error(`mosquitto exited with code ${String(code)} while starting:\n${output.join('\n')}`)));
      proc.once('error', fail);
    });
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    child = null;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  };
  await start();
  return {
    port,
    url: options.tls ? `mqtts://localhost:${port}` : `mqtt://127.0.0.1:${port}`,
    start,
    stop,
    get running() {
      return child !== null;
    },
  };
}

export interface Certificates {
  ca: string;
  serverCert: string;
  serverKey: string;
  /** A CA the broker's certificate was not signed by (to prove the box checks it). */
  otherCa: string;
  /** A client certificate and key signed by `ca` (for a broker that requires one). */
  clientCert: string;
  clientKey: string;
}

/** A CA, a server certificate for `localhost`/127.0.0.1 and a client certificate, made with openssl in `dir`. */
export async function makeCertificates(dir: string): Promise<Certificates> {
  const p = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): Promise<unknown> => run('openssl', args);
  await ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=missedcall test CA', '-keyout', p('ca.key'), '-out', p('ca.crt'));
  await ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=someone else', '-keyout', p('other-ca.key'), '-out', p('other-ca.crt'));
  await ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', p('server.key'), '-out', p('server.csr'));
  writeFileSync(p('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await ssl('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', p('server.ext'), '-out', p('server.crt'));
  await ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=test-box', '-keyout', p('client.key'), '-out', p('client.csr'));
  writeFileSync(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  await ssl('x509', '-req', '-in', p('client.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', p('client.ext'), '-out', p('client.crt'));
  return { ca: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), otherCa: p('other-ca.crt'), clientCert: p('client.crt'), clientKey: p('client.key') };
}
