import { IsolationLevel } from '@mikro-orm/core';
import type {
  AreaLandFigures,
  LandFigureLevel,
  LandFiguresServiceDefinition,
} from '@pingquan/contracts/pingquan/land_contract/v1/figures';
import type { Logger, Orm, ServiceHandlers } from '@pingquan/kit';
import { inTransaction } from '@pingquan/kit';
import { landFigures } from '../app/figures.js';
import { logAuditorRead } from '../app/history.js';
import type { AreaFigures } from '../domain/figures.js';

function toMsg(f: AreaFigures): AreaLandFigures {
  return {
    level: `LAND_FIGURE_LEVEL_${f.level}` as LandFigureLevel,
    code: f.code,
    contractsInForce: f.contractsInForce,
    dueForExtension: f.dueForExtension,
    extended: f.extended,
    households: f.households,
    certifiedHouseholds: f.certifiedHouseholds,
    certifiedShare: {
      numerator: f.certifiedShare.numerator,
      denominator: f.certifiedShare.denominator,
      ...(f.certifiedShare.basisPoints === null ? {} : { basisPoints: f.certifiedShare.basisPoints }),
    },
    circulatedAreaMu4: f.circulatedAreaMu4,
    circulatedShare: {
      numerator: f.circulatedShare.numerator,
      denominator: f.circulatedShare.denominator,
      ...(f.circulatedShare.basisPoints === null ? {} : { basisPoints: f.circulatedShare.basisPoints }),
    },
    surrendered: f.surrendered,
    reclaimed: f.reclaimed,
    abandonedAreaMu4: f.abandonedAreaMu4,
  };
}

/** gRPC ↔ the leading group's figures; every statement of one answer reads the same snapshot. */
export function landFiguresHandlers(
  orm: Orm,
  logger: Logger,
): ServiceHandlers<typeof LandFiguresServiceDefinition> {
  return {
    async getLandFigures(request, context) {
      logAuditorRead(logger, context.principal, {
        rpc: 'GetLandFigures',
        asOfDate: request.asOfDate,
        townshipCode: request.townshipCode,
      });
      const result = await inTransaction(
        orm,
        (em) =>
          landFigures(em, context.principal, {
            asOf: request.asOfDate,
            townshipCode: request.townshipCode,
          }),
        { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
      );
      return {
        asOfDate: result.asOf,
        city: result.city ? toMsg(result.city) : undefined,
        townships: result.townships.map(toMsg),
        villages: result.villages.map(toMsg),
        unavailable: result.unavailable,
        extensionPolicyVersion: result.extensionPolicyVersion,
      };
    },
  };
}
