/**
 * The regions where SES receives email (those with an `inbound-smtp.<region>` endpoint), as
 * listed in the "Email receiving endpoints" table of SES's endpoints page in AWS's General
 * Reference, read 2026-12. Anywhere else the receipt rules would be made but never see a
 * message. `npm run deploy` refuses other regions with this list; the template's rule
 * SesReceivesMailInRegion holds the same list (tests/unit/infra checks they agree). When AWS
 * adds a region, add it in both.
 */
export const SES_RECEIVING_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-2', 'ca-central-1',
  'eu-west-1', 'eu-west-2', 'eu-central-1',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-northeast-1',
] as const

export const sesReceivesMailIn = (region: string) => (SES_RECEIVING_REGIONS as readonly string[]).includes(region)

/** The regions in words: "us-east-1, …, ap-southeast-3 and ap-northeast-1". */
export const sesReceivingRegionsInWords = () => `${SES_RECEIVING_REGIONS.slice(0, -1).join(', ')} and ${SES_RECEIVING_REGIONS.at(-1)}`
