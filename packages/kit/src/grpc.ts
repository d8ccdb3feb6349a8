import {
  type CallContext,
  type Channel,
  type Client,
  type CompatServiceDefinition,
  createChannel,
  createClientFactory,
  createServer,
  Metadata,
  type Server,
  ServerError,
  type ServerMiddlewareCall,
  type ServiceImplementation,
  Status,
} from 'nice-grpc';
import { type DeadlineOptions, deadlineMiddleware } from 'nice-grpc-client-middleware-deadline';
import { type RetryOptions, retryMiddleware } from 'nice-grpc-client-middleware-retry';
import type { CallOptions, ClientMiddlewareCall } from 'nice-grpc-common';
import { errorDetailsClientMiddleware, errorDetailsServerMiddleware } from 'nice-grpc-error-details';
import { openTelemetryClientMiddleware, openTelemetryServerMiddleware } from 'nice-grpc-opentelemetry';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection';
import { DomainError, toServerError, UnauthenticatedError } from './errors.js';
import type { Logger } from './logger.js';
import {
  PRINCIPAL_METADATA_KEY,
  type Principal,
  type PrincipalSigner,
  type PrincipalVerifier,
} from './principal.js';
import { currentTraceId } from './telemetry.js';

// grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING (the package does not export the enum).
const SERVING = 1;

/** Health-service name that Kubernetes readiness probes check. */
export const READINESS = 'readiness';

/** What every handler receives besides the request: the verified caller. */
export type PrincipalContext = { principal: Principal };
export type HandlerContext = CallContext & PrincipalContext;
export type ServiceHandlers<D extends CompatServiceDefinition> = ServiceImplementation<D, PrincipalContext>;

function errorMapping(logger: Logger) {
  // Domain errors become their status with rich details; anything unexpected is logged with the
  // trace id and masked, so internals never reach a client.
  return async function* mapErrors<Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      if (error instanceof DomainError) throw toServerError(error);
      if (error instanceof ServerError) throw error;
      const traceId = currentTraceId();
      logger.error({ err: error, method: call.method.path, trace_id: traceId }, 'internal error');
      throw new ServerError(Status.INTERNAL, `internal error (trace ${traceId || 'none'})`);
    }
  };
}

function principalAuth(verifier: PrincipalVerifier) {
  return async function* authenticate<Req, Res>(
    call: ServerMiddlewareCall<Req, Res, PrincipalContext>,
    context: CallContext,
  ) {
    const token = context.metadata.get(PRINCIPAL_METADATA_KEY);
    if (!token) throw toServerError(new UnauthenticatedError('missing signed principal metadata'));
    let principal: Principal;
    try {
      principal = await verifier.verify(token);
    } catch {
      throw toServerError(new UnauthenticatedError('principal signature invalid or expired'));
    }
    return yield* call.next(call.request, { ...context, principal });
  };
}

export interface GrpcServerOptions {
  logger: Logger;
  verifier: PrincipalVerifier;
  /** buf image (FileDescriptorSet) for server reflection. */
  descriptorSet?: Uint8Array;
}

/**
 * A gRPC server with the standard health service, server reflection, OpenTelemetry spans, error
 * mapping with field violations, and principal verification on every domain service.
 */
export class GrpcServer {
  readonly health = HealthState();
  private readonly server: Server;
  private readonly serviceNames: string[] = [];
  private port = 0;

  constructor(private readonly options: GrpcServerOptions) {
    this.server = createServer({
      'grpc.max_receive_message_length': 32 * 1024 * 1024,
      'grpc.keepalive_time_ms': 60_000,
    });
    this.server.add(HealthDefinition, HealthServiceImpl(this.health));
  }

  add<D extends CompatServiceDefinition>(definition: D, handlers: ServiceHandlers<D>): void {
    this.server
      .with(openTelemetryServerMiddleware())
      .with(errorDetailsServerMiddleware)
      .with(errorMapping(this.options.logger))
      .with(principalAuth(this.options.verifier))
      .add(definition, handlers);
    const fullName = (definition as { fullName?: string }).fullName;
    if (fullName) this.serviceNames.push(fullName);
  }

  async listen(host: string, port: number): Promise<number> {
    if (this.options.descriptorSet) {
      this.server.add(
        ServerReflectionService,
        ServerReflection(Buffer.from(this.options.descriptorSet), [
          ...this.serviceNames,
          'grpc.health.v1.Health',
        ]),
      );
    }
    this.port = await this.server.listen(`${host}:${port}`);
    for (const name of this.serviceNames) this.health.setStatus('healthy', name);
    // Kubernetes readiness probes ask for the service named "readiness": serving once the database,
    // NATS and every handler are in place (listen is the last step of start-up).
    this.health.setStatus('healthy', READINESS);
    return this.port;
  }

  get boundPort(): number {
    return this.port;
  }

  /** Stops accepting calls and lets in-flight calls finish, forcing the rest after the timeout. */
  async shutdown(timeoutMs: number): Promise<void> {
    this.health.setStatus('unhealthy');
    this.health.setStatus('unhealthy', READINESS);
    for (const name of this.serviceNames) this.health.setStatus('unhealthy', name);
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.server.shutdown().then(() => 'done' as const), forced]);
    clearTimeout(timer);
    if (result === 'timeout') this.server.forceShutdown();
  }
}

/** Call options every internal client accepts: the principal to act as, a deadline, retries. */
export type InternalCallOptions = { principal?: Principal } & DeadlineOptions & RetryOptions;

export interface ClientOptions {
  signer: PrincipalSigner;
  /** Per-call deadline in milliseconds when the caller gives none. */
  defaultDeadlineMs?: number;
}

/**
 * Creates clients that share one long-lived channel per target address. Idempotent methods (marked
 * NO_SIDE_EFFECTS or IDEMPOTENT in the proto) are retried; every call has a deadline and carries the
 * caller's principal signed in metadata.
 */
export class GrpcClients {
  private readonly channels = new Map<string, Channel>();
  private readonly factory;

  constructor(options: ClientOptions) {
    const signer = options.signer;
    const defaultDeadline = options.defaultDeadlineMs ?? 5000;
    this.factory = createClientFactory()
      .use(openTelemetryClientMiddleware())
      .use(errorDetailsClientMiddleware)
      .use(async function* defaultDeadlineMw<Req, Res>(
        call: ClientMiddlewareCall<Req, Res, DeadlineOptions>,
        opts: CallOptions & DeadlineOptions,
      ) {
        return yield* call.next(call.request, { ...opts, deadline: opts.deadline ?? defaultDeadline });
      })
      .use(deadlineMiddleware)
      .use(retryMiddleware)
      .use(async function* signPrincipal<Req, Res>(
        call: ClientMiddlewareCall<Req, Res, { principal?: Principal }>,
        opts: CallOptions & { principal?: Principal },
      ) {
        const { principal, ...rest } = opts;
        const metadata = Metadata(rest.metadata);
        if (principal) await signer.metadata(principal, metadata);
        return yield* call.next(call.request, { ...rest, metadata });
      });
  }

  channel(address: string): Channel {
    let channel = this.channels.get(address);
    if (!channel) {
      channel = createChannel(address, undefined, {
        'grpc.keepalive_time_ms': 60_000,
        // With dns:/// addresses of headless Services, spread calls over every pod.
        'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
      });
      this.channels.set(address, channel);
    }
    return channel;
  }

  create<D extends CompatServiceDefinition>(definition: D, address: string): Client<D, InternalCallOptions> {
    return this.factory.create(definition, this.channel(address), {
      '*': { retryMaxAttempts: 3, retryBaseDelayMs: 50, retryMaxDelayMs: 1000 },
    }) as Client<D, InternalCallOptions>;
  }

  /** Whether the server at `address` reports SERVING on the standard health service right now. */
  async isServing(address: string, timeoutMs = 1000, service = ''): Promise<boolean> {
    const health = createClientFactory().create(HealthDefinition, this.channel(address));
    try {
      const res = await health.check({ service }, { signal: AbortSignal.timeout(timeoutMs) });
      return res.status === SERVING;
    } catch {
      return false;
    }
  }

  close(): void {
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
  }
}

/** Waits until a gRPC server reports SERVING on the standard health service. */
export async function waitForHealthy(address: string, timeoutMs: number, service = ''): Promise<void> {
  const channel = createChannel(address);
  const client = createClientFactory().create(HealthDefinition, channel);
  const start = Date.now();
  try {
    for (;;) {
      try {
        const res = await client.check({ service }, { signal: AbortSignal.timeout(1000) });
        if (res.status === SERVING) return;
      } catch {
        // not up yet
      }
      if (Date.now() - start > timeoutMs)
        throw new Error(`${address} did not become healthy within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    channel.close();
  }
}
