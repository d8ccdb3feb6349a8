import { describe, expect, it } from 'vitest';
import {
  accepted,
  act,
  contract,
  encumbrance,
  household,
  ISSUER,
  member,
  OTHER_ISSUER,
  plot,
  rules,
} from './test-fixtures.js';
import {
  type ExchangeRequest,
  exchangePlots,
  type TransferRequest,
  transferContractRight,
} from './transfer.js';

function request(overrides: Partial<TransferRequest> = {}): TransferRequest {
  return {
    contract: contract(1),
    from: household(1),
    to: household(2),
    transferDate: '2025-04-01',
    issuerConsent: act('2025-03-20', '同意转让〔2025〕2号'),
    encumbrances: [],
    transfereeContract: { kind: 'NEW', id: 'c-new', code: `${ISSUER}00021` },
    ...overrides,
  };
}

describe('transfer of the contract right (承包权转让)', () => {
  it('TRANSFER_REMAINING_TERM: the transferee holds from the transfer date to the old term end', () => {
    const outcome = accepted(transferContractRight(request()));
    expect(outcome.transferor.status).toBe('TRANSFERRED');
    expect(outcome.transferee).toMatchObject({
      id: 'c-new',
      householdId: household(2).id,
      termStart: '2025-04-01',
      termEnd: '2028-12-31',
      status: 'ACTIVE',
      mode: 'FAMILY',
    });
    expect(outcome.transferee.plots).toEqual(contract(1).plots);
    expect(outcome.partial).toBe(false);
  });

  it('TRANSFER_REMAINING_TERM: an extended right passes as extended, with its second-round end', () => {
    const extended = contract(1, { status: 'EXTENDED', termEnd: '2058-12-31', secondRoundEnd: '2028-12-31' });
    const { transferee } = accepted(transferContractRight(request({ contract: extended })));
    expect(transferee).toMatchObject({
      status: 'EXTENDED',
      termEnd: '2058-12-31',
      secondRoundEnd: '2028-12-31',
    });
  });

  it('TRANSFER_OUTSIDE_COLLECTIVE: only to a household of the same collective', () => {
    const outsider = household(2, {}, OTHER_ISSUER);
    const result = transferContractRight(
      request({ to: outsider, transfereeContract: { kind: 'NEW', id: 'x', code: `${OTHER_ISSUER}00021` } }),
    );
    expect(rules(result)).toEqual(['TRANSFER_OUTSIDE_COLLECTIVE']);
  });

  it('TRANSFER_SAME_HOUSEHOLD: not to itself', () => {
    expect(
      rules(
        transferContractRight(
          request({ to: household(1), transfereeContract: { kind: 'NEW', id: 'x', code: contract(1).code } }),
        ),
      ),
    ).toEqual(['TRANSFER_SAME_HOUSEHOLD']);
  });

  it('TRANSFER_ISSUER_CONSENT_REQUIRED: the issuer consents, before the transfer', () => {
    const { issuerConsent: _none, ...without } = request();
    expect(rules(transferContractRight(without))).toEqual(['TRANSFER_ISSUER_CONSENT_REQUIRED']);
    expect(rules(transferContractRight(request({ issuerConsent: act('2025-04-02') })))).toEqual([
      'CONSENT_AFTER_ACT',
    ]);
    expect(transferContractRight(request({ issuerConsent: act('2025-04-01') })).ok).toBe(true);
  });

  it('RIGHT_ENCUMBERED: not while a registered mortgage covers the right; fine once released', () => {
    expect(rules(transferContractRight(request({ encumbrances: [encumbrance()] })))).toEqual([
      'RIGHT_ENCUMBERED',
    ]);
    const released = encumbrance({ releasedOn: '2025-03-31' });
    expect(transferContractRight(request({ encumbrances: [released] })).ok).toBe(true);
    const onTransferDay = encumbrance({ releasedOn: '2025-04-01' });
    expect(transferContractRight(request({ encumbrances: [onTransferDay] })).ok).toBe(true);
  });

  it('RIGHT_ENCUMBERED: a mortgage on one plot blocks a transfer of that plot, not of the other', () => {
    const onPlot11 = encumbrance({ scope: { kind: 'PLOTS', plotCodes: [plot(11).code] } });
    expect(
      rules(transferContractRight(request({ encumbrances: [onPlot11], plotCodes: [plot(11).code] }))),
    ).toEqual(['RIGHT_ENCUMBERED']);
    const partial = accepted(
      transferContractRight(request({ encumbrances: [onPlot11], plotCodes: [plot(12).code] })),
    );
    expect(partial.partial).toBe(true);
    expect(partial.transferor.status).toBe('ACTIVE');
    expect(partial.transferor.plots.map((p) => p.code)).toEqual([plot(11).code]);
    expect(partial.transferee.plots.map((p) => p.code)).toEqual([plot(12).code]);
  });

  it('CONTRACT_TERM_ENDED: nothing is transferred on or after the term end', () => {
    expect(
      rules(transferContractRight(request({ transferDate: '2028-12-31', issuerConsent: act('2028-12-01') }))),
    ).toEqual(['CONTRACT_TERM_ENDED']);
  });

  it('TRANSFER_FAMILY_CONTRACT_ONLY: a tender contract circulates its management right instead', () => {
    const c = contract(1, { mode: 'TENDER', code: `${ISSUER}00012` });
    expect(
      rules(
        transferContractRight(
          request({ contract: c, transfereeContract: { kind: 'NEW', id: 'x', code: `${ISSUER}00022` } }),
        ),
      ),
    ).toEqual(['TRANSFER_FAMILY_CONTRACT_ONLY']);
  });

  it('TRANSFEREE_HOUSEHOLD_INVALID: a household whose members all died cannot take up land', () => {
    const dead = household(2, { members: [member(21, { alive: false })] });
    expect(rules(transferContractRight(request({ to: dead })))).toEqual(['TRANSFEREE_HOUSEHOLD_INVALID']);
  });

  it('CONTRACT_CODE_HOUSEHOLD_MISMATCH: the new contract is coded for the transferee', () => {
    expect(
      rules(
        transferContractRight(
          request({ transfereeContract: { kind: 'NEW', id: 'x', code: `${ISSUER}00031` } }),
        ),
      ),
    ).toEqual(['CONTRACT_CODE_HOUSEHOLD_MISMATCH']);
  });

  it('TRANSFER_TERM_MISMATCH: plots join an existing contract only if it ends on the same day', () => {
    const existing = contract(2);
    const joined = accepted(
      transferContractRight(request({ transfereeContract: { kind: 'EXISTING', contract: existing } })),
    );
    expect(joined.transferee.plots.map((p) => p.code)).toEqual([
      plot(21).code,
      plot(22).code,
      plot(11).code,
      plot(12).code,
    ]);
    const other = contract(2, { termEnd: '2029-06-30' });
    expect(
      rules(transferContractRight(request({ transfereeContract: { kind: 'EXISTING', contract: other } }))),
    ).toEqual(['TRANSFER_TERM_MISMATCH']);
  });

  it('PLOT_NOT_IN_CONTRACT: only the contract’s own plots are transferred', () => {
    expect(rules(transferContractRight(request({ plotCodes: [plot(99).code] })))).toEqual([
      'PLOT_NOT_IN_CONTRACT',
    ]);
  });
});

describe('exchange of plots (互换)', () => {
  function exchange(overrides: Partial<ExchangeRequest> = {}): ExchangeRequest {
    return {
      a: { contract: contract(1), household: household(1), plotCodes: [plot(11).code] },
      b: { contract: contract(2), household: household(2), plotCodes: [plot(21).code] },
      date: '2025-04-01',
      filing: act('2025-04-01', '互换备案〔2025〕5号'),
      encumbrances: [],
      ...overrides,
    };
  }

  it('each household keeps its contract and term; the plots change hands', () => {
    const { a, b } = accepted(exchangePlots(exchange()));
    expect(a.plots.map((p) => p.code)).toEqual([plot(12).code, plot(21).code]);
    expect(b.plots.map((p) => p.code)).toEqual([plot(22).code, plot(11).code]);
    expect(a.termEnd).toBe(contract(1).termEnd);
  });

  it('EXCHANGE_OUTSIDE_COLLECTIVE: only within one collective', () => {
    const b = {
      contract: contract(2, {}, OTHER_ISSUER),
      household: household(2, {}, OTHER_ISSUER),
      plotCodes: [plot(21, {}, OTHER_ISSUER).code],
    };
    expect(rules(exchangePlots(exchange({ b })))).toEqual(['EXCHANGE_OUTSIDE_COLLECTIVE']);
  });

  it('EXCHANGE_FILING_REQUIRED: the exchange is filed with the issuer', () => {
    const { filing: _none, ...without } = exchange();
    expect(rules(exchangePlots(without))).toEqual(['EXCHANGE_FILING_REQUIRED']);
  });

  it('EXCHANGE_SAME_HOUSEHOLD / PLOTS_REQUIRED / RIGHT_ENCUMBERED', () => {
    const same = exchange({
      b: { contract: contract(1), household: household(1), plotCodes: [plot(12).code] },
    });
    expect(rules(exchangePlots(same))).toEqual(['EXCHANGE_SAME_HOUSEHOLD']);
    const oneSided = exchange({ b: { contract: contract(2), household: household(2), plotCodes: [] } });
    expect(rules(exchangePlots(oneSided))).toEqual(['PLOTS_REQUIRED']);
    expect(rules(exchangePlots(exchange({ encumbrances: [encumbrance()] })))).toEqual(['RIGHT_ENCUMBERED']);
  });
});
