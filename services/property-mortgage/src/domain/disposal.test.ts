import { describe, expect, it } from 'vitest';
import { checkBid, checkStartDisposal, settle } from './disposal.js';

const npl = { status: 'ACTIVE' as const, classification: 'SUBSTANDARD' as const };
const land = { rightType: 'LAND_MANAGEMENT' as const, onlyHome: undefined, securableUntil: '2058-09-30' };
const auction = {
  method: 'ONLINE_AUCTION' as const,
  reservePriceFen: 500_000,
  depositFen: 50_000,
  opensOn: '2027-12-01',
  closesOn: '2027-12-10',
  transferTermEnd: '',
};

describe('disposal of non-performing loans', () => {
  it('disposes only of a non-performing loan’s collateral (LOAN_NOT_NON_PERFORMING)', () => {
    const out = checkStartDisposal(
      { status: 'ACTIVE', classification: 'SPECIAL_MENTION' },
      land,
      auction,
      '2027-11-30',
    );
    expect(out.violations.map((v) => v.rule)).toEqual(['LOAN_NOT_NON_PERFORMING']);
  });

  it('never disposes of a family’s only home (DISPOSAL_OF_ONLY_HOME), failing closed when unknown', () => {
    const house = { rightType: 'FARMER_HOUSE' as const, onlyHome: undefined, securableUntil: undefined };
    expect(checkStartDisposal(npl, house, auction, '2027-11-30').violations.map((v) => v.rule)).toEqual([
      'DISPOSAL_OF_ONLY_HOME',
    ]);
    expect(checkStartDisposal(npl, { ...house, onlyHome: false }, auction, '2027-11-30').violations).toEqual(
      [],
    );
  });

  it('transfers the mortgaged right for its remaining term only (DISPOSAL_BEYOND_REMAINING_TERM)', () => {
    expect(checkStartDisposal(npl, land, auction, '2027-11-30').transferTermEnd).toBe('2058-09-30');
    expect(
      checkStartDisposal(
        npl,
        land,
        { ...auction, transferTermEnd: '2058-10-01' },
        '2027-11-30',
      ).violations.map((v) => v.rule),
    ).toEqual(['DISPOSAL_BEYOND_REMAINING_TERM']);
    expect(
      checkStartDisposal(npl, land, { ...auction, transferTermEnd: '2040-01-01' }, '2027-11-30')
        .transferTermEnd,
    ).toBe('2040-01-01');
  });

  it('takes bids at or above the reserve, above the highest, with the deposit paid', () => {
    const d = { ...auction, status: 'OPEN' as const };
    expect(
      checkBid(d, [], { amountFen: 499_999, depositPaidFen: 50_000 }, '2027-12-05').map((v) => v.rule),
    ).toEqual(['BID_BELOW_RESERVE']);
    expect(
      checkBid(d, [{ amountFen: 600_000 }], { amountFen: 600_000, depositPaidFen: 50_000 }, '2027-12-05').map(
        (v) => v.rule,
      ),
    ).toEqual(['BID_NOT_ABOVE_HIGHEST']);
    expect(
      checkBid(d, [], { amountFen: 600_000, depositPaidFen: 0 }, '2027-12-05').map((v) => v.rule),
    ).toEqual(['DEPOSIT_NOT_PAID']);
    expect(
      checkBid(d, [], { amountFen: 600_000, depositPaidFen: 50_000 }, '2027-12-11').map((v) => v.rule),
    ).toEqual(['AUCTION_NOT_OPEN']);
    expect(checkBid(d, [], { amountFen: 600_000, depositPaidFen: 50_000 }, '2027-12-05')).toEqual([]);
  });

  it('applies net proceeds to interest due then principal, and states the recovery rate', () => {
    const s = settle(620_000, 20_000, { outstandingPrincipalFen: 1_000_000, interestDueUnpaidFen: 50_000 });
    expect(s).toEqual({
      netProceedsFen: 600_000,
      appliedInterestFen: 50_000,
      appliedPrincipalFen: 550_000,
      surplusFen: 0,
      claimAtDisposalFen: 1_050_000,
      recoveryRateBp: 5714,
    });
  });
});
