import {
  isLocalDate,
  type RuleViolation,
  validateCollectiveOrgCode,
  validateCreditCode,
  validateResidentId,
  violation,
} from '@pingquan/reference';
import type { DocumentKindName, DocumentRef, Party, PriceUnitName, RightTypeName } from './model.js';

/** Where the truth about a right lives: another service, or the exchange centre's own register. */
export type RightOwner = 'land-contract' | 'homestead' | 'collective-equity' | 'eco-product' | 'centre';

export interface RightTypeSpec {
  /** The plan's Chinese term. */
  chinese: string;
  owner: RightOwner;
  /** Unit its benchmark price and comparables are quoted in. */
  priceUnit: PriceUnitName;
  /** For rights registered at the centre: documents of which at least one evidences the right. */
  evidence: readonly DocumentKindName[];
  /** The right lasts for a term (land-like rights), so a mortgage and a disposal stop at its end. */
  hasTerm: boolean;
}

/**
 * 农村产权 — the right types of the plan (附件2 一(三)) with who owns each. Rights another service owns are
 * verified there over gRPC and never copied here as truth; the rest are registered at the centre.
 */
export const RIGHT_TYPES: Readonly<Record<RightTypeName, RightTypeSpec>> = {
  LAND_MANAGEMENT: {
    chinese: '农村土地承包经营权/土地经营权',
    owner: 'land-contract',
    priceUnit: 'PER_MU_YEAR',
    evidence: [],
    hasTerm: true,
  },
  FARMER_HOUSE: {
    chinese: '农民住房财产权',
    owner: 'homestead',
    priceUnit: 'PER_SQUARE_METRE',
    evidence: [],
    hasTerm: false,
  },
  FOREST: {
    chinese: '林权',
    owner: 'centre',
    priceUnit: 'PER_MU_YEAR',
    evidence: ['RIGHT_CERTIFICATE', 'RIGHT_CONTRACT'],
    hasTerm: true,
  },
  FOUR_WASTES: {
    chinese: '“四荒”使用权',
    owner: 'centre',
    priceUnit: 'PER_MU_YEAR',
    evidence: ['RIGHT_CONTRACT', 'RIGHT_CERTIFICATE'],
    hasTerm: true,
  },
  COLLECTIVE_CONSTRUCTION_LAND: {
    chinese: '农村集体经营性建设用地使用权',
    owner: 'centre',
    priceUnit: 'PER_MU',
    evidence: ['RIGHT_CERTIFICATE'],
    hasTerm: true,
  },
  COLLECTIVE_EQUITY: {
    chinese: '农村集体资产股权',
    owner: 'collective-equity',
    priceUnit: 'PER_UNIT',
    evidence: [],
    hasTerm: false,
  },
  COLLECTIVE_ASSET_OPERATION: {
    chinese: '农村集体经济组织资产承包经营权',
    owner: 'collective-equity',
    priceUnit: 'PER_MU_YEAR',
    evidence: [],
    hasTerm: true,
  },
  SMALL_WATER_FACILITY: {
    chinese: '农村小型水利设施',
    owner: 'centre',
    priceUnit: 'PER_UNIT',
    evidence: ['RIGHT_CERTIFICATE', 'RIGHT_CONTRACT'],
    hasTerm: false,
  },
  PRODUCTION_EQUIPMENT: {
    chinese: '农业生产性设施设备',
    owner: 'centre',
    priceUnit: 'PER_UNIT',
    evidence: ['PURCHASE_INVOICE', 'RIGHT_CERTIFICATE'],
    hasTerm: false,
  },
  BIOLOGICAL_ASSET: {
    chinese: '农村生物资产',
    owner: 'centre',
    priceUnit: 'PER_UNIT',
    evidence: ['PURCHASE_INVOICE', 'RIGHT_CERTIFICATE', 'OTHER'],
    hasTerm: false,
  },
  AGRICULTURAL_IP: {
    chinese: '农业类知识产权',
    owner: 'centre',
    priceUnit: 'PER_UNIT',
    evidence: ['RIGHT_CERTIFICATE'],
    hasTerm: true,
  },
  COLLECTIVE_INCOME: {
    chinese: '集体资产收益权',
    owner: 'collective-equity',
    priceUnit: 'PER_UNIT',
    evidence: [],
    hasTerm: false,
  },
  ECO_PRODUCT: {
    chinese: '生态产品权益',
    owner: 'eco-product',
    priceUnit: 'PER_UNIT',
    evidence: [],
    hasTerm: false,
  },
};

export function isRegisteredAtCentre(rightType: RightTypeName): boolean {
  return RIGHT_TYPES[rightType].owner === 'centre';
}

/** Households and individuals carry a resident ID; every organisation a unified social credit code. */
export function validateParty(party: Party, field: string): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (!party.name.trim()) v.push(violation('PARTY_NAME_REQUIRED', `${field}.name`, 'Give the party’s name.'));
  const person = party.kind === 'HOUSEHOLD' || party.kind === 'INDIVIDUAL';
  // A collective's code is issued by the agricultural authority: it starts with N (GB 32100).
  const checked = person
    ? validateResidentId(party.idNumber, `${field}.idNumber`)
    : party.kind === 'COLLECTIVE'
      ? validateCollectiveOrgCode(party.idNumber, `${field}.idNumber`)
      : validateCreditCode(party.idNumber, `${field}.idNumber`);
  if (!checked.ok) v.push(...checked.violations);
  return v;
}

export function validateDocuments(documents: readonly DocumentRef[], field: string): RuleViolation[] {
  const v: RuleViolation[] = [];
  documents.forEach((d, i) => {
    if (!d.number.trim() && !d.title.trim()) {
      v.push(
        violation('DOCUMENT_REFERENCE_REQUIRED', `${field}[${i}]`, 'Give the document’s number or title.'),
      );
    }
    if (d.issuedOn && !isLocalDate(d.issuedOn)) {
      v.push(
        violation('DATE_FORMAT', `${field}[${i}].issuedOn`, `'${d.issuedOn}' is not a YYYY-MM-DD date.`),
      );
    }
  });
  return v;
}

/** A right registered at the centre must be of a type no service owns and be evidenced by a document. */
export function checkRegistrableRight(
  rightType: RightTypeName,
  evidence: readonly DocumentRef[],
  termEnd: string | undefined,
): RuleViolation[] {
  const spec = RIGHT_TYPES[rightType];
  if (spec.owner !== 'centre') {
    return [
      violation(
        'RIGHT_OWNED_BY_ANOTHER_SERVICE',
        'rightType',
        `${spec.chinese} is registered in ${spec.owner}; the centre references it there instead of copying it.`,
      ),
    ];
  }
  const v: RuleViolation[] = [];
  if (!evidence.some((d) => spec.evidence.includes(d.kind))) {
    v.push(
      violation(
        'EVIDENCE_DOCUMENT_REQUIRED',
        'evidence',
        `${spec.chinese} is registered with one of these documents: ${spec.evidence.join(', ')}.`,
      ),
    );
  }
  if (spec.hasTerm && !termEnd) {
    v.push(
      violation('RIGHT_TERM_REQUIRED', 'termEndDate', `${spec.chinese} lasts for a term; give its end.`),
    );
  }
  return v;
}
