// Example operations, one per view: shown in GraphiQL (development), written to the persisted
// operation manifest by `cli/schema.ts --persisted`, run by the k6 scripts and the benchmark, and
// validated against the schema by the schema test (so they can never drift from it).

export const PILOT_OVERVIEW = /* GraphQL */ `query PilotOverview($asOf: Date) {
  pilotOverview(asOf: $asOf) {
    asOf
    statusRule
    tracks {
      track
      name
      phase
      statusCounts { onTrack atRisk overdue achieved noData }
      services { service available }
      targets {
        id
        titleZh
        unit
        baseline
        currentValue
        target
        dueDate
        status
        progress
        expectedProgress
        responsibleUnits
        source { service available method valueAsOf note }
      }
    }
  }
}`;

export const SUPERVISION_ITEMS = /* GraphQL */ `query SupervisionItems($track: Track, $first: Int = 20, $after: String) {
  supervisionItems(track: $track, first: $first, after: $after) {
    totalCount
    nodes {
      id
      status
      track
      dueDate
      daysOverdue
      daysRemaining
      responsibleUnits
      summary
      target { id titleZh currentValue target unit source { service note } }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const TOWNSHIP = /* GraphQL */ `query Township($code: ID!) {
  township(code: $code) {
    code
    name
    asOf
    coverage { service track available }
    landContract {
      figures {
        contractsInForce { count area }
        dueForExtension { count area }
        extended { count area }
        households
        certifiedShare { percent }
        circulatedArea
        surrendered { count area }
        unavailable
        source { method valueAsOf note }
      }
      contractCounts { status count }
      contracts(first: 10) {
        totalCount
        nodes { code status totalArea village { name } }
        pageInfo { hasNextPage endCursor }
      }
    }
    propertyMortgage {
      weeklyFigures {
        periodStart
        periodEnd
        figures { loansDisbursed disbursed loansOutstanding balance nplBalance nplRatioBp mortgagesRegistered secured }
      }
      benchmarkPrices { rightType year price version publishedOn }
      mortgages(first: 5) { totalCount nodes { applicationNo status securedAmount registeredOn bankCreditCode } }
      loans(first: 5) { totalCount nodes { principal outstandingPrincipal overdueDays classification } }
    }
    villages {
      division { code name }
      pilot
      landFigures { contractsInForce { count area } extended { count } }
    }
  }
}`;

export const HOUSEHOLD = /* GraphQL */ `query Household($id: ID!) {
  household(id: $id) {
    id
    code
    address
    township { code name }
    village { code name }
    members { name relation residentId alive movedToTown liftedOutOfPoverty povertyMonitoring }
    contracts {
      code
      status
      mode
      termStart
      termEnd
      totalArea
      plots { code name contractArea surveyedArea landClass basicFarmland }
    }
    encumbrances { mortgageId contractId securedAmount registeredOn securedUntil mortgageeCreditCode inEffect }
    certificationCase { stage }
    mortgages { id applicationNo status securedAmount termStart bankCreditCode }
    loans { id principal outstandingPrincipal overdueDays classification maturityDate }
    coverage { service available note }
  }
}`;

export const CONTRACTS = /* GraphQL */ `query Contracts($townshipCode: String, $first: Int = 20, $after: String) {
  contracts(filter: { townshipCode: $townshipCode }, first: $first, after: $after) {
    totalCount
    edges { cursor node { id code status totalArea household { id code } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const LIVE_EVENTS = /* GraphQL */ `subscription LiveEvents($tracks: [Track!], $townshipCodes: [String!]) {
  events(filter: { tracks: $tracks, townshipCodes: $townshipCodes }) {
    id
    subject
    track
    township { code name }
    occurredAt
    aggregateType
    aggregateId
    payload {
      __typename
      ... on ContractEventPayload { contract { code status totalArea } }
      ... on HouseholdEventPayload { household { code members { name residentId } } }
      ... on IssuerEventPayload { issuer { code name } }
      ... on OtherEventPayload { json }
    }
  }
}`;

/** The view operations, by operation name. */
export const VIEW_OPERATIONS = {
  PilotOverview: PILOT_OVERVIEW,
  SupervisionItems: SUPERVISION_ITEMS,
  Township: TOWNSHIP,
  Household: HOUSEHOLD,
  Contracts: CONTRACTS,
  LiveEvents: LIVE_EVENTS,
} as const;

/** GraphiQL's default tab: every view, with the variables to try in a comment. */
export function graphiqlDefaultQuery(): string {
  return `# Pingquan pilot platform — GraphQL gateway (development).
# The Authorization header carries a development token for the leading group. Tokens for other roles:
#   pnpm dev-token --role LEAD_UNIT --track A
#   pnpm dev-token --role TOWNSHIP_OFFICIAL --township 130881102
#   pnpm dev-token --role AUDITOR          (unmasked ID numbers; every read is logged)
# Pick an operation with the run button. Variables to try:
#   PilotOverview     {}  or  {"asOf": "2024-06-30"}
#   SupervisionItems  {"track": "C"}
#   Township          {"code": "130881102"}
#   Household         {"id": "<an id from Contracts → household.id>"}
#   Contracts         {"townshipCode": "130881102"}
#   LiveEvents        {"tracks": ["A"]}  — then register a contract in another tab

${Object.values(VIEW_OPERATIONS).join('\n\n')}
`;
}
