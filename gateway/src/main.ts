#!/usr/bin/env node
import {
  createLogger,
  GrpcClients,
  loadConfig,
  onStopSignals,
  PrincipalSigner,
  startTelemetry,
} from '@pingquan/kit';
import { mintDevToken } from './auth.js';
import { gatewayConfigSchema } from './config.js';
import { createGateway } from './server.js';

// Start-up order: telemetry, config, clients, HTTP. Shutdown in reverse, telemetry flushed last.
const telemetry = startTelemetry({
  serviceName: 'gateway',
  otlpEndpoint: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'],
});
try {
  const config = loadConfig(gatewayConfigSchema);
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const clients = new GrpcClients({
    signer: new PrincipalSigner(config.PQ_INTERNAL_SIGNING_KEY),
    defaultDeadlineMs: config.DOWNSTREAM_DEADLINE_MS,
  });
  const graphiqlHeaders: Record<string, string> = {};
  if (config.GATEWAY_MODE === 'development' && config.JWT_DEV_SECRET) {
    const token = await mintDevToken(
      { ...config, JWT_DEV_SECRET: config.JWT_DEV_SECRET },
      { sub: 'dev:leading-group', name: '领导小组 (development)', pq_role: 'LEADING_GROUP' },
    );
    graphiqlHeaders['Authorization'] = `Bearer ${token}`;
  }
  const gateway = createGateway({ config, logger, clients, graphiqlHeaders });
  const port = await gateway.listen();
  logger.info({ port, mode: config.GATEWAY_MODE }, `gateway ready on http://localhost:${port}/graphql`);
  onStopSignals(() => {
    setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS).unref();
    void (async () => {
      await gateway.close();
      clients.close();
      await telemetry.shutdown();
      process.exit(0);
    })();
  });
} catch (error) {
  process.stderr.write(`gateway: ${(error as Error).message}\n`);
  await telemetry.shutdown();
  process.exit(1);
}
