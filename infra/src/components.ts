/**
 * Every service that exists, as the local runner starts it. A new service adds one entry here (and
 * one in the chart's values), see docs/adding-a-service.md.
 */
export interface ServiceComponent {
  name: string;
  /** Folder of the service, relative to the repository root. */
  dir: string;
  /** Its own database (one database per service). */
  database: string;
  /** Default local gRPC port (avoids 5432/4222 and common dev ports). */
  port: number;
  /** Variable through which the gateway finds it. */
  gatewayUrlEnv: string;
}

export const SERVICES: readonly ServiceComponent[] = [
  {
    name: 'land-contract',
    dir: 'services/land-contract',
    database: 'pq_land_contract',
    port: 50101,
    gatewayUrlEnv: 'LAND_CONTRACT_GRPC_URL',
  },
  {
    name: 'property-mortgage',
    dir: 'services/property-mortgage',
    database: 'pq_property_mortgage',
    port: 50104,
    gatewayUrlEnv: 'PROPERTY_MORTGAGE_GRPC_URL',
  },
];

/** Every service's address, as the variables services and the gateway read (services call each other). */
export function serviceUrls(host = '127.0.0.1'): Record<string, string> {
  return Object.fromEntries(SERVICES.map((s) => [s.gatewayUrlEnv, `${host}:${s.port}`]));
}

export const DEFAULT_PORTS = { postgres: 54329, nats: 42229, gateway: 4080 } as const;
