/**
 * One e2e run: fake-vault (with a seeded secret), an OTLP receiver, the app
 * process with the given preload and environment, the given cases, then the
 * app's own exit (server closed, loop drained: kvtrace flushes on beforeExit).
 */
import { randomBytes } from 'node:crypto';
import { ClientSecretCredential } from '@azure/identity';
import { KeyClient } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';
import { start as startVault, type FakeVault } from '@kvtrace/fake-vault';
import { AppProcess, type AppOptions, type ExitInfo } from './app-process.js';
import { CASES, DISABLED_SECRET, SECRET_NAME, SIGNING_KEY, VERIFY_ONLY_KEY, runCases, type CaseRun, type KvCase } from './kv-cases.js';
import { OtlpReceiver } from './otlp-receiver.js';

export interface Scenario {
  vault: FakeVault;
  receiver: OtlpReceiver;
  secretValue: string;
  run: CaseRun;
  exit: ExitInfo;
  app: AppProcess;
}

export interface ScenarioOptions {
  entry?: AppOptions['entry'];
  preload?: AppOptions['preload'];
  preloadModule?: string;
  /** OTEL_* / KVTRACE_* for the app; the receiver is passed in for its URL. */
  env: (receiver: OtlpReceiver) => Record<string, string>;
  cases?: readonly KvCase[];
  /** Reuse a vault (the byte comparison needs the same secret twice). */
  vault?: FakeVault;
  secretValue?: string;
  /** Leave the app running (signal tests end it themselves). */
  keepRunning?: boolean;
}

export async function seededVault(): Promise<{ vault: FakeVault; secretValue: string }> {
  const vault = await startVault();
  const secretValue = `s3cr3t-${randomBytes(16).toString('hex')}`;
  const credential = new ClientSecretCredential(vault.tenantId, vault.clientId, vault.clientSecret, vault.credentialOptions());
  const secrets = new SecretClient(vault.vaultUrl, credential, vault.clientOptions());
  await secrets.setSecret(SECRET_NAME, secretValue);
  await secrets.setSecret(DISABLED_SECRET, `old-${secretValue}`, { enabled: false });
  const keys = new KeyClient(vault.vaultUrl, credential, vault.clientOptions());
  await keys.createRsaKey(VERIFY_ONLY_KEY, { keyOps: ['verify'] });
  await keys.createRsaKey(SIGNING_KEY);
  return { vault, secretValue };
}

export async function runScenario(options: ScenarioOptions): Promise<Scenario> {
  const { vault, secretValue } =
    options.vault !== undefined ? { vault: options.vault, secretValue: options.secretValue ?? '' } : await seededVault();
  const receiver = await OtlpReceiver.start();
  const app = await AppProcess.start({
    entry: options.entry ?? 'kv-app.mjs',
    preload: options.preload === undefined ? '--import' : options.preload,
    ...(options.preloadModule !== undefined && { preloadModule: options.preloadModule }),
    env: { ...vault.env(), OTEL_LOGS_EXPORTER: 'none', ...options.env(receiver) },
  });
  const run = await runCases(app, vault, options.cases ?? CASES);
  const exit = options.keepRunning === true ? { code: null, signal: null } : await app.shutdown();
  return { vault, receiver, secretValue, run, exit, app };
}

/** Closes what a scenario opened (the app only if it is still running). */
export async function closeScenario(s: Scenario | undefined, closeVault = true): Promise<void> {
  if (s === undefined) return;
  if (s.app.child.exitCode === null && s.app.child.signalCode === null) s.app.child.kill('SIGKILL');
  await s.receiver.close();
  if (closeVault) await s.vault.close();
}
