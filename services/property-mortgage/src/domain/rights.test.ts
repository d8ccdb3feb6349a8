import { makeCollectiveOrgCode } from '@pingquan/reference';
import { describe, expect, it } from 'vitest';
import { RIGHT_TYPE_NAMES } from './model.js';
import { checkRegistrableRight, isRegisteredAtCentre, RIGHT_TYPES, validateParty } from './rights.js';

describe('right types', () => {
  it('covers every right type of the plan, each with an owner', () => {
    expect(Object.keys(RIGHT_TYPES).sort()).toEqual([...RIGHT_TYPE_NAMES].sort());
    expect(RIGHT_TYPES.LAND_MANAGEMENT.owner).toBe('land-contract');
  });

  it('registers at the centre exactly the rights no service owns', () => {
    const here = RIGHT_TYPE_NAMES.filter(isRegisteredAtCentre).sort();
    expect(here).toEqual(
      [
        'AGRICULTURAL_IP',
        'BIOLOGICAL_ASSET',
        'COLLECTIVE_CONSTRUCTION_LAND',
        'FOREST',
        'FOUR_WASTES',
        'PRODUCTION_EQUIPMENT',
        'SMALL_WATER_FACILITY',
      ].sort(),
    );
  });

  it('refuses to register here a right another service owns (RIGHT_OWNED_BY_ANOTHER_SERVICE)', () => {
    expect(checkRegistrableRight('LAND_MANAGEMENT', [], '2030-01-01').map((v) => v.rule)).toEqual([
      'RIGHT_OWNED_BY_ANOTHER_SERVICE',
    ]);
  });

  it('needs an evidence document of the right kind (EVIDENCE_DOCUMENT_REQUIRED)', () => {
    const invoice = {
      kind: 'PURCHASE_INVOICE' as const,
      number: 'F1',
      title: '',
      issuedBy: '',
      issuedOn: '',
    };
    expect(checkRegistrableRight('FOREST', [invoice], '2050-12-31').map((v) => v.rule)).toEqual([
      'EVIDENCE_DOCUMENT_REQUIRED',
    ]);
    expect(checkRegistrableRight('PRODUCTION_EQUIPMENT', [invoice], undefined)).toEqual([]);
  });

  it('needs a term end for rights that last for a term (RIGHT_TERM_REQUIRED)', () => {
    const cert = {
      kind: 'RIGHT_CERTIFICATE' as const,
      number: '冀(2020)平泉林权001',
      title: '',
      issuedBy: '',
      issuedOn: '',
    };
    expect(checkRegistrableRight('FOREST', [cert], undefined).map((v) => v.rule)).toEqual([
      'RIGHT_TERM_REQUIRED',
    ]);
  });

  it('validates a collective party’s credit code, which starts with N', () => {
    const code = makeCollectiveOrgCode('VILLAGE', '130881', 'MA0000001');
    expect(validateParty({ kind: 'COLLECTIVE', name: '村股份经济合作社', idNumber: code }, 'p')).toEqual([]);
    expect(
      validateParty({ kind: 'COLLECTIVE', name: 'x', idNumber: '91130881MA0000001X' }, 'p').length,
    ).toBeGreaterThan(0);
  });
});
