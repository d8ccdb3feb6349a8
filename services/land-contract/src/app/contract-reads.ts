import type { Contract as ContractMsg } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import { type EntityManager, queryBound } from '@pingquan/kit';
import {
  type ContractFields,
  contractToMsg,
  type HouseholdFields,
  type MemberFields,
  type PlotFields,
} from './mapping.js';

// Read paths of contracts with their plots, and households with their members, in one SQL statement
// each: the children come aggregated as JSON, so a read costs one round trip and no unit-of-work
// hydration (the busiest reads of the gateway's household view and contract queries). They go to the
// driver with bound parameters (queryBound), past MikroORM's and knex's query layers.

interface ContractSqlRow {
  id: string;
  code: string;
  issuer_code: string;
  household_id: string;
  mode: string;
  term_start: string;
  term_end: string;
  status: string;
  village_code: string;
  township_code: string;
  total_area_mu4: string;
  version: number;
  second_round_end: string | null;
  adjustment_forbidden: boolean;
  plots: PlotFields[];
}

const SELECT = `
  SELECT c.id, c.code, c.issuer_code, c.household_id, c.mode,
         to_char(c.term_start, 'YYYY-MM-DD') AS term_start, to_char(c.term_end, 'YYYY-MM-DD') AS term_end,
         c.status, c.village_code, c.township_code, c.total_area_mu4, c.version,
         to_char(c.second_round_end, 'YYYY-MM-DD') AS second_round_end, c.adjustment_forbidden,
         coalesce((
           SELECT json_agg(json_build_object(
                    'code', p.code, 'name', p.name, 'contractAreaMu4', p.contract_area_mu4,
                    'surveyedAreaMu4', p.surveyed_area_mu4, 'landClass', p.land_class,
                    'basicFarmland', p.basic_farmland, 'boundaryEast', p.boundary_east,
                    'boundarySouth', p.boundary_south, 'boundaryWest', p.boundary_west,
                    'boundaryNorth', p.boundary_north, 'geometry', p.geometry) ORDER BY p.code)
           FROM plot p WHERE p.contract_id = c.id), '[]'::json) AS plots
  FROM contract c`;

function toMsg(r: ContractSqlRow): ContractMsg {
  const fields: ContractFields = {
    id: r.id,
    code: r.code,
    issuerCode: r.issuer_code,
    householdId: r.household_id,
    mode: r.mode,
    termStart: r.term_start,
    termEnd: r.term_end,
    status: r.status,
    villageCode: r.village_code,
    townshipCode: r.township_code,
    totalAreaMu4: Number(r.total_area_mu4),
    version: r.version,
    secondRoundEnd: r.second_round_end,
    adjustmentForbidden: r.adjustment_forbidden,
  };
  return contractToMsg(fields, r.plots);
}

export async function readContractByKey(
  em: EntityManager,
  key: { code: string } | { id: string },
): Promise<ContractMsg | undefined> {
  const [column, value] = 'code' in key ? ['code', key.code] : ['id', key.id];
  const rows = await queryBound<ContractSqlRow>(em, `${SELECT} WHERE c.${column} = $1`, [value]);
  const row = rows[0];
  return row ? toMsg(row) : undefined;
}

export async function readContractsOfHouseholds(
  em: EntityManager,
  householdIds: string[],
): Promise<ContractMsg[]> {
  if (householdIds.length === 0) return [];
  const rows = await queryBound<ContractSqlRow>(
    em,
    `${SELECT} WHERE c.household_id = ANY($1::uuid[]) ORDER BY c.code`,
    [householdIds],
  );
  return rows.map(toMsg);
}

/** A household with its members, as read by `readHouseholds`. */
export interface HouseholdRead {
  household: HouseholdFields;
  members: MemberFields[];
}

interface HouseholdSqlRow {
  id: string;
  code: string;
  issuer_code: string;
  village_code: string;
  township_code: string;
  address: string;
  version: number;
  members: MemberFields[];
}

export async function readHouseholds(em: EntityManager, ids: string[]): Promise<HouseholdRead[]> {
  if (ids.length === 0) return [];
  const rows = await queryBound<HouseholdSqlRow>(
    em,
    `SELECT h.id, h.code, h.issuer_code, h.village_code, h.township_code, h.address, h.version,
            coalesce((
              SELECT json_agg(json_build_object(
                       'seq', m.seq, 'residentId', m.resident_id, 'name', m.name, 'relation', m.relation,
                       'alive', m.alive, 'movedToTown', m.moved_to_town,
                       'liftedOutOfPoverty', m.lifted_out_of_poverty, 'povertyMonitoring', m.poverty_monitoring,
                       'deceasedOn', to_char(m.deceased_on, 'YYYY-MM-DD')) ORDER BY m.seq)
              FROM household_member m WHERE m.household_id = h.id), '[]'::json) AS members
     FROM household h WHERE h.id = ANY($1::uuid[])`,
    [ids],
  );
  return rows.map((r) => ({
    household: {
      id: r.id,
      code: r.code,
      issuerCode: r.issuer_code,
      villageCode: r.village_code,
      townshipCode: r.township_code,
      address: r.address,
      version: r.version,
    },
    members: r.members,
  }));
}
