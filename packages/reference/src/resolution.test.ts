import { describe, expect, it } from 'vitest';
import { checkResolution, RESOLUTION_MATTERS, type Resolution, type ResolutionMatter } from './resolution.js';

/** A valid member-meeting resolution on the 30-year extension: 300 members, 240 present, 210 for. */
function memberMeeting(overrides: Partial<Resolution> = {}): Resolution {
  return {
    body: 'MEMBER_MEETING',
    matter: 'CONTRACT_EXTENSION',
    meetingDate: '2025-06-20',
    noticeDate: '2025-06-10',
    totalMembers: 300,
    attending: 240,
    votesFor: 210,
    votesAgainst: 20,
    documentRef: '连云海村成员大会决议〔2025〕3号',
    ...overrides,
  };
}

function representativesMeeting(overrides: Partial<Resolution> = {}): Resolution {
  return memberMeeting({
    body: 'REPRESENTATIVES_MEETING',
    matter: 'DIVIDEND_PLAN',
    totalMembers: 30,
    attending: 25,
    votesFor: 20,
    votesAgainst: 5,
    noticeDate: '2025-06-18',
    ...overrides,
  });
}

function rules(r: Resolution, matter: ResolutionMatter = r.matter): string[] {
  return checkResolution(r, matter).map((v) => v.rule);
}

describe('democratic procedure (Rural Collective Economic Organisation Law 2024)', () => {
  it('accepts a valid member-meeting resolution', () => {
    expect(checkResolution(memberMeeting(), 'CONTRACT_EXTENSION')).toEqual([]);
  });

  it('RESOLUTION_MATTER_MISMATCH: a resolution authorises only the matter it decided', () => {
    const violations = checkResolution(memberMeeting(), 'PLOT_ADJUSTMENT', 'batch.resolution');
    expect(violations).toEqual([
      {
        rule: 'RESOLUTION_MATTER_MISMATCH',
        field: 'batch.resolution.matter',
        message:
          'This act needs a resolution on PLOT_ADJUSTMENT; the resolution given decided CONTRACT_EXTENSION.',
      },
    ]);
  });

  it('RESOLUTION_DOCUMENT_REF_REQUIRED', () => {
    expect(rules(memberMeeting({ documentRef: '  ' }))).toEqual(['RESOLUTION_DOCUMENT_REF_REQUIRED']);
  });

  it('RESOLUTION_COUNT_INVALID: counts are whole numbers, total positive', () => {
    expect(rules(memberMeeting({ attending: -1 }))).toEqual(['RESOLUTION_COUNT_INVALID']);
    expect(rules(memberMeeting({ votesFor: 210.5 }))).toEqual(['RESOLUTION_COUNT_INVALID']);
    expect(rules(memberMeeting({ totalMembers: 0, attending: 0, votesFor: 0, votesAgainst: 0 }))).toEqual([
      'RESOLUTION_COUNT_INVALID',
    ]);
  });

  it('RESOLUTION_ATTENDANCE_EXCEEDS_TOTAL', () => {
    expect(rules(memberMeeting({ attending: 301 }))).toEqual(['RESOLUTION_ATTENDANCE_EXCEEDS_TOTAL']);
  });

  it('RESOLUTION_VOTES_EXCEED_ATTENDANCE', () => {
    expect(rules(memberMeeting({ votesFor: 230, votesAgainst: 11 }))).toEqual([
      'RESOLUTION_VOTES_EXCEED_ATTENDANCE',
    ]);
    expect(rules(memberMeeting({ votesFor: 230, votesAgainst: 10 }))).toEqual([]);
  });

  it('RESOLUTION_DATE_INVALID and RESOLUTION_NOTICE_AFTER_MEETING', () => {
    expect(rules(memberMeeting({ meetingDate: '2025-02-30' }))).toEqual(['RESOLUTION_DATE_INVALID']);
    expect(rules(representativesMeeting({ noticeDate: '2025-06-21' }))).toEqual([
      'RESOLUTION_NOTICE_AFTER_MEETING',
    ]);
    expect(rules(representativesMeeting({ noticeDate: '2025-06-20' }))).toEqual([]);
  });

  it('RESOLUTION_NOTICE_PERIOD: members are notified at least 10 days ahead', () => {
    expect(rules(memberMeeting({ noticeDate: '2025-06-10' }))).toEqual([]);
    expect(rules(memberMeeting({ noticeDate: '2025-06-11' }))).toEqual(['RESOLUTION_NOTICE_PERIOD']);
  });

  it('RESOLUTION_QUORUM: at least two thirds of all members attend; exactly 2/3 passes', () => {
    expect(rules(memberMeeting({ attending: 200, votesFor: 200, votesAgainst: 0 }))).toEqual([]);
    expect(rules(memberMeeting({ attending: 199, votesFor: 199, votesAgainst: 0 }))).toContain(
      'RESOLUTION_QUORUM',
    );
  });

  it('RESOLUTION_QUORUM: rounding up, 2 of 4 members is short of two thirds, 3 of 4 is enough', () => {
    const small = { totalMembers: 4, votesAgainst: 0 };
    expect(rules(memberMeeting({ ...small, attending: 3, votesFor: 3 }))).toEqual([]);
    expect(rules(memberMeeting({ ...small, attending: 2, votesFor: 2 }))).toEqual([
      'RESOLUTION_QUORUM',
      'RESOLUTION_TWO_THIRDS_OF_ALL',
    ]);
  });

  it('RESOLUTION_TWO_THIRDS_OF_ALL: exactly two thirds of all members passes; one vote fewer fails', () => {
    expect(rules(memberMeeting({ votesFor: 200 }))).toEqual([]);
    expect(rules(memberMeeting({ votesFor: 199 }))).toEqual(['RESOLUTION_TWO_THIRDS_OF_ALL']);
  });

  it('RESOLUTION_TWO_THIRDS_OF_ALL: 2/3 of those present is not enough when attendance is partial', () => {
    // 210 present is a quorum; 180 for is 6/7 of them but only 3/5 of all 300 members.
    expect(rules(memberMeeting({ attending: 210, votesFor: 180, votesAgainst: 30 }))).toEqual([
      'RESOLUTION_TWO_THIRDS_OF_ALL',
    ]);
  });

  it("RESOLUTION_TWO_THIRDS_OF_ALL: a representatives' meeting needs two thirds of all representatives", () => {
    expect(rules(representativesMeeting({ votesFor: 20 }))).toEqual([]);
    expect(rules(representativesMeeting({ votesFor: 19, votesAgainst: 6 }))).toEqual([
      'RESOLUTION_TWO_THIRDS_OF_ALL',
    ]);
  });

  it("a representatives' meeting has no 10-day notice or separate quorum rule", () => {
    expect(
      rules(
        representativesMeeting({ noticeDate: '2025-06-20', attending: 20, votesFor: 20, votesAgainst: 0 }),
      ),
    ).toEqual([]);
  });

  it("RESOLUTION_RESERVED_TO_MEMBER_MEETING: what a representatives' meeting may not decide", () => {
    const reserved: ResolutionMatter[] = [
      'CHARTER',
      'MEMBER_CONFIRMATION',
      'LAND_CONTRACTING_PLAN',
      'CONTRACT_EXTENSION',
      'PLOT_ADJUSTMENT',
      'HOMESTEAD_PLAN',
      'SHARE_QUANTIFICATION',
      'COMPENSATION_DISTRIBUTION',
      'MERGER_OR_SPLIT',
      'NON_MEMBER_RIGHTS',
      'CONTRIBUTION_SHARES',
    ];
    for (const matter of RESOLUTION_MATTERS) {
      const found = rules(representativesMeeting({ matter }));
      expect(found, matter).toEqual(
        reserved.includes(matter) ? ['RESOLUTION_RESERVED_TO_MEMBER_MEETING'] : [],
      );
    }
  });

  it('RESOLUTION_THREE_QUARTERS_OF_ALL: rights for non-members need 3/4 of all members; exactly 3/4 passes', () => {
    for (const matter of ['NON_MEMBER_RIGHTS', 'CONTRIBUTION_SHARES'] as const) {
      expect(rules(memberMeeting({ matter, votesFor: 225, votesAgainst: 10 }))).toEqual([]);
      expect(rules(memberMeeting({ matter, votesFor: 224, votesAgainst: 10 }))).toEqual([
        'RESOLUTION_THREE_QUARTERS_OF_ALL',
      ]);
    }
    // Two thirds of all members is enough for other matters.
    expect(rules(memberMeeting({ matter: 'SHARE_QUANTIFICATION', votesFor: 200 }))).toEqual([]);
  });

  it('reports every broken rule at once', () => {
    expect(
      rules(
        representativesMeeting({ matter: 'CHARTER', documentRef: '', votesFor: 10, votesAgainst: 10 }),
        'MERGER_OR_SPLIT',
      ),
    ).toEqual([
      'RESOLUTION_MATTER_MISMATCH',
      'RESOLUTION_DOCUMENT_REF_REQUIRED',
      'RESOLUTION_RESERVED_TO_MEMBER_MEETING',
      'RESOLUTION_TWO_THIRDS_OF_ALL',
    ]);
  });
});
