import { CertificationServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/certification';
import { CollateralServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/collateral';
import { ExtensionServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/extension';
import { LandFiguresServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/figures';
import { LandHistoryServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/history';
import { RegisterImportServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/import';
import { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import { LandRightsServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import { PropertyMortgageServiceDefinition } from '@pingquan/contracts/pingquan/property_mortgage/v1/property_mortgage_service';
import type { GrpcClients, InternalCallOptions } from '@pingquan/kit';
import type { Client } from 'nice-grpc';
import type { GatewayConfig } from './config.js';

/** Clients of every service that exists; later services add one line each. */
export interface Downstream {
  landContract: Client<typeof LandContractServiceDefinition, InternalCallOptions>;
  /** land-contract's figures for the leading group (pilot overview, township view). */
  landFigures: Client<typeof LandFiguresServiceDefinition, InternalCallOptions>;
  /** land-contract's register import (same process and address as landContract). */
  registerImport: Client<typeof RegisterImportServiceDefinition, InternalCallOptions>;
  /** land-contract's 30-year extension batches and plot adjustments. */
  extension: Client<typeof ExtensionServiceDefinition, InternalCallOptions>;
  /** land-contract's extinction, transfer, surrender, circulation, abandonment and encumbrances. */
  landRights: Client<typeof LandRightsServiceDefinition, InternalCallOptions>;
  /** land-contract's collateral checks (VerifyCollateral), for banks and the exchange centre. */
  collateral: Client<typeof CollateralServiceDefinition, InternalCallOptions>;
  /** land-contract's certification campaign (确权登记颁证). */
  certification: Client<typeof CertificationServiceDefinition, InternalCallOptions>;
  /** land-contract's history and as-of reads of its audit log. */
  landHistory: Client<typeof LandHistoryServiceDefinition, InternalCallOptions>;
  /** property-mortgage, the exchange centre: valuation, exchange, mortgages, loans, disposal, fund. */
  propertyMortgage: Client<typeof PropertyMortgageServiceDefinition, InternalCallOptions>;
}

export function createDownstream(clients: GrpcClients, config: GatewayConfig): Downstream {
  return {
    landContract: clients.create(LandContractServiceDefinition, config.LAND_CONTRACT_GRPC_URL),
    registerImport: clients.create(RegisterImportServiceDefinition, config.LAND_CONTRACT_GRPC_URL),
    extension: clients.create(ExtensionServiceDefinition, config.LAND_CONTRACT_GRPC_URL),
    landFigures: clients.create(LandFiguresServiceDefinition, config.LAND_CONTRACT_GRPC_URL),
    landRights: clients.create(LandRightsServiceDefinition, config.LAND_CONTRACT_GRPC_URL),
    collateral: clients.create(CollateralServiceDefinition, config.LAND_CONTRACT_GRPC_URL),
    certification: clients.create(CertificationServiceDefinition, config.LAND_CONTRACT_GRPC_URL),
    landHistory: clients.create(LandHistoryServiceDefinition, config.LAND_CONTRACT_GRPC_URL),
    propertyMortgage: clients.create(PropertyMortgageServiceDefinition, config.PROPERTY_MORTGAGE_GRPC_URL),
  };
}
