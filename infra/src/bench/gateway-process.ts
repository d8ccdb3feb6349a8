// A child process of `pnpm bench gateway`: the gateway (with or without its protection plugins) or
// the bare graphql-yoga baseline, each alone in its process as in production, so the benchmark's
// load generator does not share their event loop.
import { createBaselineServer, createGateway, gatewayConfigSchema } from '@pingquan/gateway';
import { createLogger, GrpcClients, loadConfig, PrincipalSigner, startTelemetry } from '@pingquan/kit';

const target = process.env['BENCH_TARGET'] ?? 'gateway';
// The benchmark stops its children with SIGTERM; exiting through process.exit lets `--cpu-prof`
// write its profile (a process ended by the signal's default action writes none).
process.once('SIGTERM', () => process.exit(0));
const port = Number(process.env['GATEWAY_PORT'] ?? 0);

if (target === 'bare') {
  const server = createBaselineServer();
  server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
} else {
  // As in gateway/src/main.ts: telemetry first (no exporter), so spans cost what they cost in production.
  startTelemetry({ serviceName: 'gateway' });
  const config = loadConfig(gatewayConfigSchema);
  const clients = new GrpcClients({
    signer: new PrincipalSigner(config.PQ_INTERNAL_SIGNING_KEY),
    defaultDeadlineMs: config.DOWNSTREAM_DEADLINE_MS,
  });
  const gateway = createGateway({
    config,
    logger: createLogger('gateway', config.LOG_LEVEL),
    clients,
    protection: target !== 'gateway-unprotected',
  });
  await gateway.listen();
  process.stdout.write('ready\n');
}
