import { describe, it, expect } from 'vitest'
import { createTableInput, TTL_ATTRIBUTE } from '../../../server/aws/table'
import { readConfig } from '../../../server/config'
import { readTemplate, parseTemplate, referencesIn, type Template } from './cfn-yaml'

const template: Template = readTemplate(new URL('../../../infra/template.yaml', import.meta.url))
const resources = template.Resources

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type)
const only = (type: string) => {
  const found = ofType(type)
  expect(found, `exactly one ${type}`).toHaveLength(1)
  return found[0]!
}
const ref = (name: string) => ({ Ref: name })
const arnOf = (name: string) => ({ 'Fn::GetAtt': [name, 'Arn'] })

/** The variables server/config.ts reads that the deployed functions must be given. */
const CIS_VARIABLES = [
  'CIS_STACK',
  'CIS_TABLE',
  'CIS_MAIL_BUCKET',
  'CIS_INBOUND_QUEUE',
  'CIS_INBOUND_DLQ',
  'CIS_SEND_QUEUE',
  'CIS_MAIL_DOMAIN',
  'CIS_SITE_URL',
  'CIS_ALLOWED_ORGANIZER_DOMAINS',
  'CIS_REQUIRE_VERIFIED_SENDER',
  'CIS_NOTIFY_ORGANIZER',
  'CIS_OWNER_EMAILS',
]

describe('the YAML reader', () => {
  it('turns short-form intrinsic functions into their long form', () => {
    const parsed = parseTemplate(
      [
        'Resources:',
        '  X:',
        '    Type: T',
        '    Properties:',
        "      a: !Join ['', [!Ref P, !GetAtt R.Arn, !GetAtt [S, Dkim.Name]]]",
        "      b: !If [C, !Sub 'x-${AWS::Region}', !Select [0, !Split [',', !Ref L]]]",
        "      c: !Not [!Equals [!Ref P, '']]",
        "      d: !Sub ['${A}', { A: !Ref B }]",
      ].join('\n'),
    )
    expect(parsed.Resources.X!.Properties).toEqual({
      a: { 'Fn::Join': ['', [{ Ref: 'P' }, { 'Fn::GetAtt': ['R', 'Arn'] }, { 'Fn::GetAtt': ['S', 'Dkim.Name'] }]] },
      b: { 'Fn::If': ['C', { 'Fn::Sub': 'x-${AWS::Region}' }, { 'Fn::Select': [0, { 'Fn::Split': [',', { Ref: 'L' }] }] }] },
      c: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'P' }, ''] }] },
      d: { 'Fn::Sub': ['${A}', { A: { Ref: 'B' } }] },
    })
    expect(referencesIn(parsed.Resources.X!.Properties).map((r) => `${r.kind}:${r.name}`).sort()).toEqual(
      ['Condition:C', 'GetAtt:R', 'GetAtt:S', 'Ref:B', 'Ref:L', 'Ref:P', 'Ref:P', 'Sub:AWS::Region'].sort(),
    )
  })
})

describe('infra/template.yaml', () => {
  it('only refers to parameters, resources and conditions it declares, without cycles', () => {
    const parameters = new Set(Object.keys(template.Parameters ?? {}))
    const conditions = new Set(Object.keys(template.Conditions ?? {}))
    const names = new Set(Object.keys(resources))
    const pseudo = (name: string) => name.startsWith('AWS::')
    const problems: string[] = []
    const dependsOn = new Map<string, Set<string>>()

    for (const [name, resource] of Object.entries(resources)) {
      const edges = new Set([resource.DependsOn ?? []].flat())
      for (const target of edges) if (!names.has(target)) problems.push(`${name} DependsOn unknown ${target}`)
      for (const { kind, name: target } of referencesIn(resource)) {
        if (kind === 'Condition') {
          if (!conditions.has(target)) problems.push(`${name} uses unknown condition ${target}`)
        } else if (names.has(target)) edges.add(target)
        else if (kind === 'GetAtt' || !(parameters.has(target) || pseudo(target))) problems.push(`${name} refers to unknown ${target}`)
      }
      dependsOn.set(name, edges)
    }
    for (const [name, output] of Object.entries(template.Outputs ?? {})) {
      for (const { kind, name: target } of referencesIn(output)) {
        const known = kind === 'Condition' ? conditions.has(target) : names.has(target) || parameters.has(target) || pseudo(target)
        if (!known) problems.push(`output ${name} refers to unknown ${target}`)
      }
    }
    expect(problems).toEqual([])

    // CloudFormation refuses a template whose resources depend on each other in a circle.
    const state = new Map<string, 'visiting' | 'done'>()
    const visit = (name: string, path: string[]): string[] | undefined => {
      if (state.get(name) === 'done') return undefined
      if (state.get(name) === 'visiting') return [...path, name]
      state.set(name, 'visiting')
      for (const next of dependsOn.get(name) ?? []) {
        const cycle = visit(next, [...path, name])
        if (cycle) return cycle
      }
      state.set(name, 'done')
      return undefined
    }
    for (const name of names) expect(visit(name, []), 'dependency cycle').toBeUndefined()
  })

  it('declares the parameters with the documented defaults', () => {
    const parameters = template.Parameters!
    for (const name of ['MailDomain', 'CodeBucket', 'WebCodeKey', 'InboundCodeKey', 'SiteUrl']) expect(parameters[name]).toBeDefined()
    expect(parameters.AllowedOrganizerDomains!.Default).toBe('')
    expect(parameters.OwnerEmails!.Default).toBe('')
    expect(parameters.RequireVerifiedSender!.Default).toBe('true')
    expect(parameters.NotifyOrganizer!.Default).toBe('true')
  })

  describe('the table', () => {
    const [, table] = only('AWS::DynamoDB::Table')
    const expected = createTableInput('x')
    const byName = <T extends Record<string, any>>(items: T[], key: string) => [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])))

    it('has the keys, attributes and indexes of createTableInput()', () => {
      expect(table.Properties.BillingMode).toBe(expected.BillingMode)
      expect(table.Properties.KeySchema).toEqual(expected.KeySchema)
      expect(byName(table.Properties.AttributeDefinitions, 'AttributeName')).toEqual(byName(expected.AttributeDefinitions!, 'AttributeName'))
      expect(byName(table.Properties.GlobalSecondaryIndexes, 'IndexName')).toEqual(byName(expected.GlobalSecondaryIndexes!, 'IndexName'))
    })

    it('expires items through the TTL attribute and keeps point-in-time backups', () => {
      expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true })
      expect(TTL_ATTRIBUTE).toBe('expiresAt')
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true })
    })
  })

  describe('inbound mail', () => {
    it('parks a message that failed three times in the dead-letter queue, kept 14 days', () => {
      const queue = resources.InboundQueue!
      expect(queue.Type).toBe('AWS::SQS::Queue')
      expect(queue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf('InboundDeadLetterQueue'), maxReceiveCount: 3 })
      expect(resources.InboundDeadLetterQueue!.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600)
      // Lambda's advice: the visibility timeout is at least six times the function timeout.
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * resources.InboundMailFunction!.Properties.Timeout)
      expect(resources.SendQueue!.Properties.RedrivePolicy.deadLetterTargetArn).toEqual(arnOf('SendDeadLetterQueue'))
    })

    it('feeds the handler batches from the inbound queue and retries only failed records', () => {
      const [, mapping] = only('AWS::Lambda::EventSourceMapping')
      expect(mapping.Properties).toMatchObject({
        EventSourceArn: arnOf('InboundQueue'),
        FunctionName: ref('InboundMailFunction'),
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      })
    })

    it('notifies the inbound queue of every object stored in the mail bucket', () => {
      const bucket = resources.MailBucket!
      expect(bucket.Properties.NotificationConfiguration.QueueConfigurations).toEqual([
        { Event: 's3:ObjectCreated:*', Queue: arnOf('InboundQueue') },
      ])
      // S3 checks the queue policy when the notification is configured.
      expect([bucket.DependsOn].flat()).toContain('InboundQueuePolicy')
      const statement = resources.InboundQueuePolicy!.Properties.PolicyDocument.Statement[0]
      expect(statement.Principal).toEqual({ Service: 's3.amazonaws.com' })
      // The queue policy names the bucket by the same string the bucket is named with.
      expect(statement.Condition.ArnEquals['aws:SourceArn']['Fn::Sub']).toBe(`arn:\${AWS::Partition}:s3:::${bucket.Properties.BucketName['Fn::Sub']}`)
    })

    it('lets SES of this account write to the private mail bucket', () => {
      const bucket = resources.MailBucket!.Properties
      expect(bucket.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      })
      expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration).toHaveLength(1)
      const statements: any[] = resources.MailBucketPolicy!.Properties.PolicyDocument.Statement
      const ses = statements.find((s) => s.Principal?.Service === 'ses.amazonaws.com')
      expect(ses).toMatchObject({ Effect: 'Allow', Action: 's3:PutObject' })
      expect(ses.Condition.StringEquals['AWS:SourceAccount']).toEqual(ref('AWS::AccountId'))
    })

    it('has one receipt rule per mailbox, storing under the mailbox prefix with scanning and TLS', () => {
      const rules = ofType('AWS::SES::ReceiptRule').map(([, resource]) => resource.Properties)
      const mailboxes = Object.keys(readConfig({}).mailboxes)
      expect(mailboxes.sort()).toEqual(['bulk', 'create', 'rsvp'])
      expect(rules).toHaveLength(mailboxes.length)
      const [ruleSetName] = only('AWS::SES::ReceiptRuleSet')
      for (const mailbox of mailboxes) {
        const matching = rules.filter((rule) => JSON.stringify(rule.Rule.Recipients) === JSON.stringify([{ 'Fn::Sub': `${mailbox}@\${MailDomain}` }]))
        expect(matching, `${mailbox}@ rule`).toHaveLength(1)
        const rule = matching[0]
        expect(rule.RuleSetName).toEqual(ref(ruleSetName))
        expect(rule.Rule).toMatchObject({ Enabled: true, ScanEnabled: true, TlsPolicy: 'Require' })
        expect(rule.Rule.Actions).toEqual([{ S3Action: { BucketName: ref('MailBucket'), ObjectKeyPrefix: `${mailbox}/` } }])
      }
    })
  })

  describe('the functions', () => {
    const functions = ofType('AWS::Lambda::Function')

    it('are the web server and the inbound handler on Node.js 22, arm64', () => {
      expect(functions.map(([name]) => name).sort()).toEqual(['InboundMailFunction', 'WebFunction'])
      for (const [, fn] of functions) {
        expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' })
      }
      expect(resources.WebFunction!.Properties).toMatchObject({ MemorySize: 1024, Timeout: 15, Code: { S3Bucket: ref('CodeBucket'), S3Key: ref('WebCodeKey') } })
      expect(resources.InboundMailFunction!.Properties).toMatchObject({ MemorySize: 512, Timeout: 60, Code: { S3Bucket: ref('CodeBucket'), S3Key: ref('InboundCodeKey') } })
    })

    it.each(['WebFunction', 'InboundMailFunction'])('%s gets every CIS_* variable', (name) => {
      const variables = resources[name]!.Properties.Environment.Variables
      expect(Object.keys(variables).sort()).toEqual(expect.arrayContaining([...CIS_VARIABLES].sort()))
      expect(variables).toMatchObject({
        CIS_STACK: 'aws',
        CIS_TABLE: ref('Table'),
        CIS_MAIL_BUCKET: ref('MailBucket'),
        CIS_INBOUND_QUEUE: ref('InboundQueue'),
        CIS_INBOUND_DLQ: ref('InboundDeadLetterQueue'),
        CIS_SEND_QUEUE: ref('SendQueue'),
        CIS_MAIL_DOMAIN: ref('MailDomain'),
        CIS_ALLOWED_ORGANIZER_DOMAINS: ref('AllowedOrganizerDomains'),
        CIS_REQUIRE_VERIFIED_SENDER: ref('RequireVerifiedSender'),
        CIS_NOTIFY_ORGANIZER: ref('NotifyOrganizer'),
        CIS_OWNER_EMAILS: ref('OwnerEmails'),
      })
    })

    it('gives both functions the same settings', () => {
      expect(resources.WebFunction!.Properties.Environment).toEqual(resources.InboundMailFunction!.Properties.Environment)
    })

    it('serves the web function through an HTTP API $default route with payload format 2.0', () => {
      const [apiName, api] = only('AWS::ApiGatewayV2::Api')
      expect(api.Properties.ProtocolType).toBe('HTTP')
      const [integrationName, integration] = only('AWS::ApiGatewayV2::Integration')
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', IntegrationUri: arnOf('WebFunction'), PayloadFormatVersion: '2.0' })
      const [, route] = only('AWS::ApiGatewayV2::Route')
      expect(route.Properties).toMatchObject({ ApiId: ref(apiName), RouteKey: '$default', Target: { 'Fn::Sub': `integrations/\${${integrationName}}` } })
      expect(template.Outputs!.ApiUrl!.Value).toEqual({ 'Fn::GetAtt': [apiName, 'ApiEndpoint'] })
    })

    it('log through the basic execution role', () => {
      for (const role of ['WebRole', 'InboundMailRole']) {
        expect(resources[role]!.Properties.ManagedPolicyArns).toContainEqual({
          'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
        })
      }
    })
  })

  it('outputs the addresses a deployer needs', () => {
    for (const name of ['ApiUrl', 'TableName', 'MailBucket', 'InboundQueueUrl', 'CreateMailbox', 'RsvpMailbox', 'BulkMailbox']) {
      expect(template.Outputs![name], name).toBeDefined()
    }
  })
})
