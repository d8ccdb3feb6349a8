import { describe, expect, it } from 'vitest';
import {
  advanceCertification,
  type CertificationCase,
  DEFAULT_CERTIFICATION_POLICY,
  type LegacyCase,
  linkRealEstateRegister,
  openLegacyCase,
  raiseObjection,
  resolveObjection,
  updateLegacyCase,
} from './certification.js';
import { accepted, household, ISSUER, rules } from './test-fixtures.js';

const fresh: CertificationCase = {
  householdId: household(1).id,
  issuerCode: ISSUER,
  stageDates: {},
  objections: [],
  legacyCases: [],
};

/** Surveyed 2023-03-01, notice posted 2023-04-01 (window closes 2023-05-01). */
function noticed(): CertificationCase {
  const surveyed = accepted(advanceCertification(fresh, 'SURVEYED', '2023-03-01'));
  return accepted(advanceCertification(surveyed, 'PUBLICLY_NOTICED', '2023-04-01'));
}

const objection = { id: 'o1', raisedOn: '2023-04-10', raisedBy: '邻户李某', subject: '东至界线' };

const dispute: LegacyCase = {
  id: 'lc1',
  kind: 'BOUNDARY_DISPUTE',
  owner: '平泉镇包村干部王某',
  state: 'OPEN',
  openedOn: '2023-05-10',
  note: '',
};

describe('certification campaign (确权登记颁证)', () => {
  it('CERTIFICATION_STAGE_ORDER: strictly surveyed → noticed → signed → registered → certified', () => {
    expect(rules(advanceCertification(fresh, 'PUBLICLY_NOTICED', '2023-03-01'))).toEqual([
      'CERTIFICATION_STAGE_ORDER',
    ]);
    let c = noticed();
    expect(rules(advanceCertification(c, 'REGISTERED', '2023-06-01'))).toEqual(['CERTIFICATION_STAGE_ORDER']);
    expect(rules(advanceCertification(c, 'PUBLICLY_NOTICED', '2023-06-01'))).toEqual([
      'CERTIFICATION_STAGE_ORDER',
    ]);
    c = accepted(advanceCertification(c, 'SIGNED', '2023-05-01'));
    c = accepted(advanceCertification(c, 'REGISTERED', '2023-06-01'));
    c = accepted(
      advanceCertification(c, 'CERTIFIED', '2023-07-01', { certificateNo: '130881100201000001J' }),
    );
    expect(c.stage).toBe('CERTIFIED');
    expect(c.certificateNo).toBe('130881100201000001J');
    expect(rules(advanceCertification(c, 'CERTIFIED', '2023-08-01'))).toEqual(['CERTIFICATION_STAGE_ORDER']);
  });

  it('NOTICE_WINDOW_OPEN: not past the public notice before its 30 days have run', () => {
    expect(rules(advanceCertification(noticed(), 'SIGNED', '2023-04-30'))).toEqual(['NOTICE_WINDOW_OPEN']);
    expect(advanceCertification(noticed(), 'SIGNED', '2023-05-01').ok).toBe(true);
  });

  it('NOTICE_WINDOW_OPEN: the window length is policy', () => {
    const policy = { ...DEFAULT_CERTIFICATION_POLICY, noticeWindowDays: 7 };
    expect(advanceCertification(noticed(), 'SIGNED', '2023-04-08', { policy }).ok).toBe(true);
  });

  it('OBJECTION_UNRESOLVED: every objection raised in the window is resolved before moving on', () => {
    const objected = accepted(raiseObjection(noticed(), objection));
    expect(rules(advanceCertification(objected, 'SIGNED', '2023-05-02'))).toEqual(['OBJECTION_UNRESOLVED']);
    const resolved = accepted(resolveObjection(objected, 'o1', '2023-05-05', '重新测量后双方确认'));
    expect(rules(advanceCertification(resolved, 'SIGNED', '2023-05-02'))).toEqual(['OBJECTION_UNRESOLVED']);
    expect(advanceCertification(resolved, 'SIGNED', '2023-05-05').ok).toBe(true);
  });

  it('NOTICE_WINDOW_CLOSED: objections are taken only while the notice is posted', () => {
    expect(rules(raiseObjection(noticed(), { ...objection, raisedOn: '2023-05-01' }))).toEqual([
      'NOTICE_WINDOW_CLOSED',
    ]);
    expect(rules(raiseObjection(noticed(), { ...objection, raisedOn: '2023-03-31' }))).toEqual([
      'NOTICE_WINDOW_CLOSED',
    ]);
    expect(raiseObjection(noticed(), { ...objection, raisedOn: '2023-04-30' }).ok).toBe(true);
    expect(rules(raiseObjection(fresh, objection))).toEqual(['NOTICE_WINDOW_CLOSED']);
  });

  it('OBJECTION_RESOLUTION_REQUIRED / OBJECTION_ALREADY_RESOLVED', () => {
    const objected = accepted(raiseObjection(noticed(), objection));
    expect(rules(resolveObjection(objected, 'o1', '2023-05-05', ' '))).toEqual([
      'OBJECTION_RESOLUTION_REQUIRED',
    ]);
    const resolved = accepted(resolveObjection(objected, 'o1', '2023-05-05', '已调解'));
    expect(rules(resolveObjection(resolved, 'o1', '2023-05-06', '再次'))).toEqual([
      'OBJECTION_ALREADY_RESOLVED',
    ]);
  });

  it('LEGACY_CASE_OPEN: an open or in-progress legacy case blocks the certificate until closed', () => {
    let c = accepted(advanceCertification(noticed(), 'SIGNED', '2023-05-01'));
    c = accepted(advanceCertification(c, 'REGISTERED', '2023-06-01'));
    c = accepted(openLegacyCase(c, dispute));
    expect(rules(advanceCertification(c, 'CERTIFIED', '2023-07-01', { certificateNo: 'J1' }))).toEqual([
      'LEGACY_CASE_OPEN',
    ]);
    c = accepted(updateLegacyCase(c, 'lc1', 'IN_PROGRESS', '2023-06-10', '已约谈双方'));
    expect(rules(advanceCertification(c, 'CERTIFIED', '2023-07-01', { certificateNo: 'J1' }))).toEqual([
      'LEGACY_CASE_OPEN',
    ]);
    c = accepted(updateLegacyCase(c, 'lc1', 'CLOSED', '2023-06-20', '镇调委会调解结案'));
    expect(c.legacyCases[0]).toMatchObject({ state: 'CLOSED', closedOn: '2023-06-20' });
    expect(advanceCertification(c, 'CERTIFIED', '2023-07-01', { certificateNo: 'J1' }).ok).toBe(true);
  });

  it('LEGACY_CASE_TRANSITION / LEGACY_CASE_CLOSING_NOTE_REQUIRED / LEGACY_CASE_OWNER_REQUIRED', () => {
    const c = accepted(openLegacyCase(fresh, { ...dispute, kind: 'PETITION' }));
    expect(rules(updateLegacyCase(c, 'lc1', 'CLOSED', '2023-06-20', ''))).toEqual([
      'LEGACY_CASE_CLOSING_NOTE_REQUIRED',
    ]);
    const closed = accepted(updateLegacyCase(c, 'lc1', 'CLOSED', '2023-06-20', '信访事项办结'));
    expect(rules(updateLegacyCase(closed, 'lc1', 'OPEN', '2023-06-21', 'x'))).toEqual([
      'LEGACY_CASE_TRANSITION',
    ]);
    expect(rules(openLegacyCase(fresh, { ...dispute, owner: '' }))).toEqual(['LEGACY_CASE_OWNER_REQUIRED']);
  });

  it('CERTIFICATE_NUMBER_REQUIRED: a certified household has its certificate number', () => {
    let c = accepted(advanceCertification(noticed(), 'SIGNED', '2023-05-01'));
    c = accepted(advanceCertification(c, 'REGISTERED', '2023-06-01'));
    expect(rules(advanceCertification(c, 'CERTIFIED', '2023-07-01'))).toEqual([
      'CERTIFICATE_NUMBER_REQUIRED',
    ]);
  });

  it('CERTIFICATION_DATE_ORDER: a stage is not dated before the previous one', () => {
    const surveyed = accepted(advanceCertification(fresh, 'SURVEYED', '2023-03-01'));
    expect(rules(advanceCertification(surveyed, 'PUBLICLY_NOTICED', '2023-02-28'))).toEqual([
      'CERTIFICATION_DATE_ORDER',
    ]);
  });

  it('REAL_ESTATE_REGISTER_NO_FORMAT: the unified register link is optional but not blank', () => {
    expect(
      accepted(linkRealEstateRegister(fresh, ' 冀(2024)平泉市不动产权第0001234号 ')).realEstateRegisterNo,
    ).toBe('冀(2024)平泉市不动产权第0001234号');
    expect(rules(linkRealEstateRegister(fresh, '  '))).toEqual(['REAL_ESTATE_REGISTER_NO_FORMAT']);
  });
});
