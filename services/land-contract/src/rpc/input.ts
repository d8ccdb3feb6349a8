import type { PlotInput } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import type { Member as MemberMsg } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import { InvalidInputError } from '@pingquan/kit';
import { type RuleViolation, violation } from '@pingquan/reference';
import { landClassFromMsg, relationFromMsg } from '../app/mapping.js';
import type { GeoJsonGeometry, Member, Plot, PovertyFlag } from '../domain/model.js';

// Turns proto requests into domain values at the edge. Shape problems (unknown enum values,
// unparseable GeoJSON) are reported here with their field path; domain rules check the rest.

export function plotsFromMsg(plots: PlotInput[], field = 'plots'): Plot[] {
  const v: RuleViolation[] = [];
  const result = plots.map((p, i): Plot => {
    const landClass = landClassFromMsg(p.landClass);
    if (!landClass)
      v.push(
        violation('LAND_CLASS_REQUIRED', `${field}[${i}].landClass`, 'Choose the land class of the plot.'),
      );
    let geometry: GeoJsonGeometry | undefined;
    if (p.geometryGeojson) {
      try {
        const parsed = JSON.parse(p.geometryGeojson) as { type?: unknown; coordinates?: unknown };
        if (
          (parsed.type === 'Polygon' || parsed.type === 'MultiPolygon') &&
          Array.isArray(parsed.coordinates)
        ) {
          geometry = { type: parsed.type, coordinates: parsed.coordinates };
        } else {
          v.push(
            violation(
              'GEOMETRY_TYPE',
              `${field}[${i}].geometryGeojson`,
              'Geometry must be a GeoJSON Polygon or MultiPolygon.',
            ),
          );
        }
      } catch {
        v.push(violation('GEOMETRY_JSON', `${field}[${i}].geometryGeojson`, 'Geometry is not valid JSON.'));
      }
    }
    return {
      code: p.code,
      name: p.name,
      contractAreaMu4: p.contractAreaMu4,
      surveyedAreaMu4: p.surveyedAreaMu4,
      landClass: landClass ?? 'OTHER',
      basicFarmland: p.basicFarmland,
      boundaries: {
        east: p.boundaries?.east ?? '',
        south: p.boundaries?.south ?? '',
        west: p.boundaries?.west ?? '',
        north: p.boundaries?.north ?? '',
      },
      ...(geometry ? { geometry } : {}),
    };
  });
  if (v.length) throw new InvalidInputError(v);
  return result;
}

export function membersFromMsg(members: MemberMsg[], field = 'members'): Member[] {
  const v: RuleViolation[] = [];
  const result = members.map((m, i): Member => {
    const relation = relationFromMsg(m.relation);
    if (!relation)
      v.push(
        violation(
          'RELATION_REQUIRED',
          `${field}[${i}].relation`,
          'Give the relation to the head of household.',
        ),
      );
    const flags: PovertyFlag[] = [];
    if (m.liftedOutOfPoverty) flags.push('LIFTED_OUT_OF_POVERTY');
    if (m.povertyMonitoring) flags.push('RETURN_TO_POVERTY_MONITORING');
    return {
      residentId: m.residentId.trim().toUpperCase(),
      name: m.name.trim(),
      relation: relation ?? 'OTHER',
      alive: m.alive,
      movedToTown: m.movedToTown,
      povertyFlags: flags,
      ...(m.deceasedOn ? { deceasedOn: m.deceasedOn } : {}),
    };
  });
  if (v.length) throw new InvalidInputError(v);
  return result;
}

/** Page size: 0 means the default; larger than the cap is capped, not refused. */
export function pageSize(requested: number | undefined, fallback = 50, cap = 500): number {
  if (!requested || requested <= 0) return fallback;
  return Math.min(requested, cap);
}

export function decodeCursor(token: string | undefined): string | undefined {
  if (!token) return undefined;
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded.startsWith('c:')) {
    throw new InvalidInputError([
      violation('PAGE_TOKEN_INVALID', 'page.pageToken', 'The page token is not one this service issued.'),
    ]);
  }
  return decoded.slice(2);
}

export function encodeCursor(key: string | undefined): string {
  return key === undefined ? '' : Buffer.from(`c:${key}`, 'utf8').toString('base64url');
}
