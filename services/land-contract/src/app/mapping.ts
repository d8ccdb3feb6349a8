import type {
  ContractMode as ContractModeMsg,
  Contract as ContractMsg,
  ContractStatus as ContractStatusMsg,
  Household as HouseholdMsg,
  Issuer as IssuerMsg,
  LandClass as LandClassMsg,
  Relation as RelationMsg,
} from '@pingquan/contracts/pingquan/land_contract/v1/register';
import { maskResidentId } from '@pingquan/reference';
import type { ContractMode, ContractStatus, LandClass, MemberRelation } from '../domain/model.js';
import type { ContractRow, HouseholdRow, IssuerRow, MemberRow, PlotRow } from '../persistence/entities.js';

// Proto enums are prefixed strings (CONTRACT_MODE_FAMILY); the domain and the database use the bare
// name (FAMILY). These helpers are the only place the two meet.

function strip<T extends string>(prefix: string, value: string): T | undefined {
  return value.startsWith(prefix) && !value.endsWith('_UNSPECIFIED')
    ? (value.slice(prefix.length) as T)
    : undefined;
}

export const modeFromMsg = (m: ContractModeMsg) => strip<ContractMode>('CONTRACT_MODE_', m);
export const modeToMsg = (m: string) => `CONTRACT_MODE_${m}` as ContractModeMsg;
export const statusFromMsg = (s: ContractStatusMsg) => strip<ContractStatus>('CONTRACT_STATUS_', s);
export const statusToMsg = (s: string) => `CONTRACT_STATUS_${s}` as ContractStatusMsg;
export const landClassFromMsg = (c: LandClassMsg) => strip<LandClass>('LAND_CLASS_', c);
export const landClassToMsg = (c: string) => `LAND_CLASS_${c}` as LandClassMsg;
export const relationFromMsg = (r: RelationMsg) => strip<MemberRelation>('RELATION_', r);
export const relationToMsg = (r: string) => `RELATION_${r}` as RelationMsg;

export function issuerToMsg(row: IssuerRow): IssuerMsg {
  return {
    id: row.id,
    code: row.code,
    creditCode: row.creditCode,
    name: row.name,
    villageCode: row.villageCode,
    townshipCode: row.townshipCode,
    version: row.version,
  };
}

/** The columns a household message is built from (an entity, or a row read with SQL). */
export type HouseholdFields = Pick<
  HouseholdRow,
  'id' | 'code' | 'issuerCode' | 'villageCode' | 'townshipCode' | 'address' | 'version'
>;
export type MemberFields = Pick<
  MemberRow,
  | 'seq'
  | 'residentId'
  | 'name'
  | 'relation'
  | 'alive'
  | 'movedToTown'
  | 'liftedOutOfPoverty'
  | 'povertyMonitoring'
  | 'deceasedOn'
>;

export function householdToMsg(
  row: HouseholdFields,
  members: readonly MemberFields[],
  unmasked: boolean,
): HouseholdMsg {
  return {
    id: row.id,
    code: row.code,
    issuerCode: row.issuerCode,
    villageCode: row.villageCode,
    townshipCode: row.townshipCode,
    address: row.address,
    version: row.version,
    members: [...members]
      .sort((a, b) => a.seq - b.seq)
      .map((m) => ({
        residentId: unmasked ? m.residentId : maskResidentId(m.residentId),
        name: m.name,
        relation: relationToMsg(m.relation),
        alive: m.alive,
        movedToTown: m.movedToTown,
        liftedOutOfPoverty: m.liftedOutOfPoverty,
        povertyMonitoring: m.povertyMonitoring,
        deceasedOn: m.deceasedOn ?? '',
      })),
  };
}

/** The columns a contract message is built from (an entity, or a row read with SQL). */
export type ContractFields = Pick<
  ContractRow,
  | 'id'
  | 'code'
  | 'issuerCode'
  | 'householdId'
  | 'mode'
  | 'termStart'
  | 'termEnd'
  | 'status'
  | 'villageCode'
  | 'townshipCode'
  | 'totalAreaMu4'
  | 'version'
  | 'secondRoundEnd'
  | 'adjustmentForbidden'
>;
export type PlotFields = Pick<
  PlotRow,
  | 'code'
  | 'name'
  | 'contractAreaMu4'
  | 'surveyedAreaMu4'
  | 'landClass'
  | 'basicFarmland'
  | 'boundaryEast'
  | 'boundarySouth'
  | 'boundaryWest'
  | 'boundaryNorth'
  | 'geometry'
>;

export function contractToMsg(row: ContractFields, plots: readonly PlotFields[]): ContractMsg {
  return {
    id: row.id,
    code: row.code,
    issuerCode: row.issuerCode,
    householdId: row.householdId,
    mode: modeToMsg(row.mode),
    termStartDate: row.termStart,
    termEndDate: row.termEnd,
    status: statusToMsg(row.status),
    villageCode: row.villageCode,
    townshipCode: row.townshipCode,
    totalAreaMu4: row.totalAreaMu4,
    version: row.version,
    secondRoundEndDate: row.secondRoundEnd ?? '',
    adjustmentForbidden: row.adjustmentForbidden,
    plots: [...plots]
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((p) => ({
        code: p.code,
        name: p.name,
        contractAreaMu4: p.contractAreaMu4,
        surveyedAreaMu4: p.surveyedAreaMu4,
        landClass: landClassToMsg(p.landClass),
        basicFarmland: p.basicFarmland,
        boundaries: {
          east: p.boundaryEast,
          south: p.boundarySouth,
          west: p.boundaryWest,
          north: p.boundaryNorth,
        },
        geometryGeojson: p.geometry ? JSON.stringify(p.geometry) : '',
      })),
  };
}
