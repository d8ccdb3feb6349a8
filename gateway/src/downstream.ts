import { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import type { GrpcClients, InternalCallOptions } from '@pingquan/kit';
import type { Client } from 'nice-grpc';
import type { GatewayConfig } from './config.js';

/** Clients of every service that exists; later services add one line each. */
export interface Downstream {
  landContract: Client<typeof LandContractServiceDefinition, InternalCallOptions>;
}

export function createDownstream(clients: GrpcClients, config: GatewayConfig): Downstream {
  return {
    landContract: clients.create(LandContractServiceDefinition, config.LAND_CONTRACT_GRPC_URL),
  };
}
