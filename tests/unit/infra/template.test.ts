import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { createTableInput, TTL_ATTRIBUTE } from '../../../server/aws/table'
import { readConfig } from '../../../server/config'
import { lambdaRuntime } from '../../../infra/node-runtime'
import { readTemplate, parseTemplate, referencesIn, type Template } from '../../../infra/cfn-yaml'

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
  'CIS_AUTH_CACHE_SECONDS',
  'CIS_ORIGIN_VERIFY',
  'CIS_LIST_MAX_BYTES',
  'CIS_DAILY_INVITE_LIMIT',
  'CIS_EVENT_ATTENDEE_LIMIT',
  'CIS_STACK',
  'CIS_TABLE',
  'CIS_MAIL_BUCKET',
  'CIS_INBOUND_QUEUE',
  'CIS_INBOUND_DLQ',
  'CIS_SEND_QUEUE',
  'CIS_SES_EVENTS_QUEUE',
  'CIS_SEND_RATE',
  'CIS_SEND_MAX_ATTEMPTS',
  'CIS_SES_CONFIGURATION_SET',
  'CIS_SECRET',
  'CIS_MAIL_DOMAIN',
  'CIS_SITE_URL',
  'CIS_ALLOWED_ORGANIZER_DOMAINS',
  'CIS_REQUIRE_VERIFIED_SENDER',
  'CIS_NOTIFY_ORGANIZER',
  'CIS_OWNER_EMAILS',
  'CIS_TRUSTED_PROXIES',
  'CIS_TEMPLATES_S3_PREFIX',
]

/** What server/config.ts reads that a deployment leaves unset, and why. */
const NOT_DEPLOYED: Record<string, string> = {
  CIS_REGION: 'Lambda sets AWS_REGION',
  CIS_DYNAMODB_ENDPOINT: 'local stand-ins only',
  CIS_S3_ENDPOINT: 'local stand-ins only',
  CIS_SQS_ENDPOINT: 'local stand-ins only',
  CIS_SES_ENDPOINT: 'local stand-ins only',
  CIS_FROM_ADDRESS: 'defaults to noreply@ the mail domain',
  CIS_TEMPLATES_DIR: 'optional: a deployer adds a folder (a Lambda layer) of their own mail templates',
  CIS_LOG_FORMAT: 'the default, JSON, is what CloudWatch Logs Insights reads; text is for `npm run dev`',
}

const FUNCTIONS = ['WebFunction', 'InboundMailFunction', 'SendFunction']

/** CloudFormation's pseudo-parameters: the only `AWS::` names a `Ref` or `Fn::Sub` may use. */
const PSEUDO_PARAMETERS = ['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']

/** The statements of every policy a function's role carries (managed policies of this template). */
const statementsOf = (functionName: string): any[] => {
  const role = resources[resources[functionName]!.Properties.Role['Fn::GetAtt'][0]]!
  return (role.Properties.ManagedPolicyArns as unknown[])
    .filter((arn): arn is { Ref: string } => typeof arn === 'object' && arn !== null && 'Ref' in arn)
    .flatMap((arn) => resources[arn.Ref]!.Properties.PolicyDocument.Statement)
}
/** Whether some Allow statement of the function's policies grants `action` on `resource` (compared as template values). */
const allows = (functionName: string, action: string, resource: unknown) =>
  statementsOf(functionName).some(
    (statement) =>
      statement.Effect === 'Allow' &&
      [statement.Action].flat().includes(action) &&
      [statement.Resource].flat().some((r: unknown) => JSON.stringify(r) === JSON.stringify(resource)),
  )
const configurationSetArn = { 'Fn::Sub': 'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${SendConfigurationSet}' }
const identityArn = { 'Fn::Sub': 'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${MailIdentity}' }

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
  it('only refers to parameters, pseudo-parameters, resources and conditions it declares, without cycles', () => {
    const parameters = new Set(Object.keys(template.Parameters ?? {}))
    const conditions = new Set(Object.keys(template.Conditions ?? {}))
    const names = new Set(Object.keys(resources))
    const pseudo = (name: string) => PSEUDO_PARAMETERS.includes(name)
    const problems: string[] = []
    const dependsOn = new Map<string, Set<string>>()

    // A condition may use parameters, pseudo-parameters and other conditions, never a resource.
    for (const [name, condition] of Object.entries(template.Conditions ?? {})) {
      for (const { kind, name: target } of referencesIn(condition)) {
        const known = kind === 'Condition' ? conditions.has(target) && target !== name : kind === 'Ref' && (parameters.has(target) || pseudo(target))
        if (!known) problems.push(`condition ${name} refers to unknown ${target}`)
      }
    }
    for (const [name, entry] of [...Object.entries(resources), ...Object.entries(template.Outputs ?? {})]) {
      const condition = (entry as { Condition?: unknown }).Condition
      if (condition !== undefined && !(typeof condition === 'string' && conditions.has(condition))) problems.push(`${name} has unknown Condition ${String(condition)}`)
    }
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

  it('allows no wildcard IAM action, in any policy; a wildcard only widens a Deny', () => {
    // Every statement of every policy document (identity, bucket, topic, queue, trust), both branches of an Fn::If.
    const statements: { where: string; statement: Record<string, unknown> }[] = []
    const unwrap = (node: unknown): unknown[] =>
      node && typeof node === 'object' && 'Fn::If' in node ? (node['Fn::If'] as unknown[]).slice(1).flatMap(unwrap) : [node]
    const walk = (node: unknown, where: string) => {
      if (Array.isArray(node)) return node.forEach((item, index) => walk(item, `${where}[${index}]`))
      if (!node || typeof node !== 'object') return
      for (const [key, child] of Object.entries(node)) {
        if (key === 'Statement') {
          for (const statement of [child].flat().flatMap(unwrap)) {
            if (statement && typeof statement === 'object' && !('Ref' in statement)) statements.push({ where, statement: statement as Record<string, unknown> })
          }
        } else walk(child, `${where}.${key}`)
      }
    }
    walk(resources, 'Resources')
    expect(statements.length).toBeGreaterThan(15)

    const wildcards = (actions: unknown) => [actions ?? []].flat().filter((action) => typeof action !== 'string' || action.includes('*'))
    const allowed = statements.filter(({ statement }) => statement.Effect === 'Allow')
    expect(allowed.flatMap(({ where, statement }) => wildcards(statement.Action).map((action) => `${where}: ${JSON.stringify(action)}`))).toEqual([])
    expect(allowed.filter(({ statement }) => 'NotAction' in statement).map(({ where }) => where)).toEqual([])
    // Resource '*' only for actions that take no resource (the Service Authorization Reference
    // lists no resource type for them, so IAM accepts no other form): the receipt rule set
    // activation's two SES calls.
    const NO_RESOURCE_ACTIONS = ['ses:SetActiveReceiptRuleSet', 'ses:DescribeActiveReceiptRuleSet']
    const onAnything = allowed.filter(({ statement }) => [statement.Resource].flat().includes('*'))
    expect(onAnything.filter(({ statement }) => ![statement.Action].flat().every((action) => NO_RESOURCE_ACTIONS.includes(action as string))).map(({ where }) => where)).toEqual([])
    expect(onAnything.map(({ where, statement }) => `${where} ${String(statement.Sid)}`)).toEqual([
      'Resources.ReceiptRuleSetActivationRole.Properties.Policies[0].PolicyDocument ActiveReceiptRuleSet',
    ])
    // Today's only wildcards: the mail and assets buckets refuse every S3 action without TLS.
    const denied = statements.filter(({ statement }) => statement.Effect !== 'Allow' && wildcards(statement.Action).length)
    expect(denied.map(({ where, statement }) => `${where} ${String(statement.Sid)} ${String(statement.Action)}`)).toEqual([
      'Resources.MailBucketPolicy.Properties.PolicyDocument DenyInsecureTransport s3:*',
      'Resources.AssetsBucketPolicy.Properties.PolicyDocument DenyInsecureTransport s3:*',
    ])
  })

  it('declares the parameters with the documented defaults', () => {
    const parameters = template.Parameters!
    for (const name of ['MailDomain', 'CodeBucket', 'WebCodeKey', 'InboundCodeKey', 'SendCodeKey', 'SiteUrl']) expect(parameters[name]).toBeDefined()
    expect(parameters.AllowedOrganizerDomains!.Default).toBe('')
    expect(parameters.OwnerEmails!.Default).toBe('')
    expect(parameters.RequireVerifiedSender!.Default).toBe('true')
    expect(parameters.NotifyOrganizer!.Default).toBe('true')
  })

  it('takes the sending parameters with the defaults and limits of server/config.ts', () => {
    const parameters = template.Parameters! as Record<string, Record<string, unknown>>
    const defaults = readConfig({})
    expect(parameters.SendRate).toMatchObject({ Type: 'Number', Default: defaults.sendRate, MaxValue: 10000 })
    expect(parameters.SendMaxAttempts).toMatchObject({ Type: 'Number', Default: defaults.sendMaxAttempts, MinValue: 1, MaxValue: 100 })
    expect(defaults.sendRate).toBe(14)
    expect(defaults.sendMaxAttempts).toBe(5)
    // Lambda refuses a MaximumConcurrency below 2.
    expect(parameters.SendMaximumConcurrency).toMatchObject({ Type: 'Number', MinValue: 2, MaxValue: 1000 })
    // The secret never shows in the console or describe-stacks, and config.ts's minimum holds.
    expect(parameters.Secret).toMatchObject({ Type: 'String', NoEcho: true, MinLength: 32 })
    expect(parameters.Secret!.Default).toBeUndefined()
    expect(() => readConfig({ CIS_STACK: 'aws', CIS_SECRET: 'x'.repeat(31) })).toThrow(/CIS_SECRET/)
    expect(readConfig({ CIS_STACK: 'aws', CIS_SECRET: 'x'.repeat(32) }).secret).toHaveLength(32)
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
      const mapping = resources.InboundMailEventSource!
      expect(mapping.Type).toBe('AWS::Lambda::EventSourceMapping')
      expect(mapping.Properties).toMatchObject({
        EventSourceArn: arnOf('InboundQueue'),
        FunctionName: ref('InboundMailFunction'),
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      })
    })

    it("carries SES's receipt notifications (the verdicts) to the inbound queue, and no bare bucket events", () => {
      // Issue 13, found 1: trust comes from SES's verdicts as data, published by the S3 action.
      expect(resources.MailBucket!.Properties.NotificationConfiguration).toBeUndefined()
      expect(resources.InboundMailTopic!.Type).toBe('AWS::SNS::Topic')
      expect(resources.InboundMailSubscription!.Properties).toEqual({ TopicArn: ref('InboundMailTopic'), Protocol: 'sqs', Endpoint: arnOf('InboundQueue'), RawMessageDelivery: true })
      const queue = resources.InboundQueuePolicy!.Properties.PolicyDocument.Statement
      expect(queue).toEqual([expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': ref('InboundMailTopic') } } })])
      const topic = resources.InboundMailTopicPolicy!.Properties.PolicyDocument.Statement
      expect(topic).toEqual([expect.objectContaining({ Principal: { Service: 'ses.amazonaws.com' }, Action: 'sns:Publish', Resource: ref('InboundMailTopic') })])
      expect(topic[0].Condition.StringEquals).toEqual({ 'AWS:SourceAccount': ref('AWS::AccountId') })
      expect(topic[0].Condition.ArnLike['AWS:SourceArn']['Fn::Sub']).toMatch(/:receipt-rule-set\/\$\{ReceiptRuleSet\}:receipt-rule\/\*$/)
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
        expect(rule.Rule.Actions).toEqual([{ S3Action: { BucketName: ref('MailBucket'), ObjectKeyPrefix: `${mailbox}/`, TopicArn: ref('InboundMailTopic') } }])
      }
    })
  })

  describe('the functions', () => {
    const functions = ofType('AWS::Lambda::Function')

    it("are the web server, the inbound handler and the send handler on the project's Node.js (.nvmrc), arm64", () => {
      // and the inline handler of the receipt rule set activation (a custom resource)
      expect(functions.map(([name]) => name).sort()).toEqual([...FUNCTIONS, 'ReceiptRuleSetActivationFunction'].sort())
      for (const [, fn] of functions) {
        expect(fn.Properties).toMatchObject({ Runtime: lambdaRuntime, Architectures: ['arm64'], Handler: 'index.handler' })
      }
      expect(resources.WebFunction!.Properties).toMatchObject({ MemorySize: 1024, Timeout: 15, Code: { S3Bucket: ref('CodeBucket'), S3Key: ref('WebCodeKey') } })
      expect(resources.InboundMailFunction!.Properties).toMatchObject({ MemorySize: 512, Timeout: 60, Code: { S3Bucket: ref('CodeBucket'), S3Key: ref('InboundCodeKey') } })
      expect(resources.SendFunction!.Properties).toMatchObject({ Code: { S3Bucket: ref('CodeBucket'), S3Key: ref('SendCodeKey') }, Role: arnOf('SendRole') })
    })

    it.each(FUNCTIONS)('%s logs to its own log group, kept LogRetentionDays (30 by default)', (name) => {
      const group = resources[name]!.Properties.LoggingConfig.LogGroup.Ref
      expect(resources[group]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: ref('LogRetentionDays') } })
      expect(template.Parameters!.LogRetentionDays!.Default).toBe(30)
      const others = FUNCTIONS.filter((other) => other !== name).map((other) => resources[other]!.Properties.LoggingConfig.LogGroup.Ref)
      expect(others).not.toContain(group)
    })

    it('deploys every variable server/config.ts reads, except the local-only ones', () => {
      const source = readFileSync(new URL('../../../server/config.ts', import.meta.url), 'utf8')
      const schema = source.slice(source.indexOf('const EnvSchema'), source.indexOf('})', source.indexOf('const EnvSchema')))
      const read = [...schema.matchAll(/^\s+(CIS_[A-Z0-9_]+):/gm)].map((match) => match[1]!)
      expect(read.length).toBeGreaterThan(10)
      expect(read.filter((name) => !(name in NOT_DEPLOYED)).sort()).toEqual([...CIS_VARIABLES].sort())
    })

    it.each(FUNCTIONS)('%s gets every CIS_* variable', (name) => {
      const variables = resources[name]!.Properties.Environment.Variables
      expect(Object.keys(variables).sort()).toEqual(expect.arrayContaining([...CIS_VARIABLES].sort()))
      expect(variables).toMatchObject({
        CIS_STACK: 'aws',
        CIS_TABLE: ref('Table'),
        CIS_MAIL_BUCKET: ref('MailBucket'),
        CIS_INBOUND_QUEUE: ref('InboundQueue'),
        CIS_INBOUND_DLQ: ref('InboundDeadLetterQueue'),
        CIS_SEND_QUEUE: ref('SendQueue'),
        CIS_SES_EVENTS_QUEUE: ref('SesEventsQueue'),
        // The worker writes the failure reason on the attempt the queue will not redeliver.
        CIS_SEND_MAX_ATTEMPTS: ref('SendMaxAttempts'),
        CIS_SEND_RATE: ref('SendRate'),
        CIS_SES_CONFIGURATION_SET: ref('SendConfigurationSet'),
        CIS_SECRET: ref('Secret'),
        CIS_MAIL_DOMAIN: ref('MailDomain'),
        CIS_ALLOWED_ORGANIZER_DOMAINS: ref('AllowedOrganizerDomains'),
        CIS_REQUIRE_VERIFIED_SENDER: ref('RequireVerifiedSender'),
        CIS_NOTIFY_ORGANIZER: ref('NotifyOrganizer'),
        CIS_OWNER_EMAILS: ref('OwnerEmails'),
        CIS_TEMPLATES_S3_PREFIX: ref('TemplatesS3Prefix'),
      })
    })

    it('gives all functions the same settings', () => {
      expect(resources.WebFunction!.Properties.Environment).toEqual(resources.InboundMailFunction!.Properties.Environment)
      expect(resources.SendFunction!.Properties.Environment).toEqual(resources.WebFunction!.Properties.Environment)
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

    it('log to their own log group and nowhere else', () => {
      for (const [role, group] of [['WebRole', 'WebLogGroup'], ['InboundMailRole', 'InboundMailLogGroup'], ['SendRole', 'SendLogGroup']] as const) {
        const statements = resources[role]!.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement)
        expect(statements, role).toEqual([{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [group, 'Arn'] } }])
        // AWS's basic execution role would let the function write to every log group of the account.
        expect(JSON.stringify(resources[role]!.Properties.ManagedPolicyArns), role).not.toContain('AWSLambdaBasicExecutionRole')
      }
    })
  })

  describe('sending', () => {
    const sendFunction = resources.SendFunction!

    it.each([
      ['SendQueue', 'SendEventSource'],
      ['SesEventsQueue', 'SesEventsEventSource'],
    ])('feeds %s to the send function in batches of 10, retrying only failed records', (queue, mappingName) => {
      const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(arnOf(queue)))
      expect(mappings.map(([name]) => name)).toEqual([mappingName])
      expect(mappings[0]![1].Properties).toEqual({
        EventSourceArn: arnOf(queue),
        FunctionName: ref('SendFunction'),
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: ref('SendMaximumConcurrency') },
      })
    })

    it('has one event source mapping per queue and function', () => {
      const pairs = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => `${m.Properties.EventSourceArn['Fn::GetAtt'][0]} -> ${m.Properties.FunctionName.Ref}`)
      expect(pairs.sort()).toEqual(['InboundQueue -> InboundMailFunction', 'SendQueue -> SendFunction', 'SesEventsQueue -> SendFunction'])
    })

    it('parks a send job after SendMaxAttempts deliveries, the count the worker is told', () => {
      expect(resources.SendQueue!.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf('SendDeadLetterQueue'), maxReceiveCount: ref('SendMaxAttempts') })
      expect(sendFunction.Properties.Environment.Variables.CIS_SEND_MAX_ATTEMPTS).toEqual(ref('SendMaxAttempts'))
      expect(resources.SendDeadLetterQueue!.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600)
    })

    it('parks SES events whose write keeps failing, kept 14 days', () => {
      expect(resources.SesEventsQueue!.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf('SesEventsDeadLetterQueue'), maxReceiveCount: expect.any(Number) })
      expect(resources.SesEventsDeadLetterQueue!.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600)
    })

    it.each(['SendQueue', 'SesEventsQueue'])('%s hides a batch for at least six times the function timeout', (queue) => {
      expect(resources[queue]!.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * sendFunction.Properties.Timeout)
    })

    it('publishes bounces and complaints of its configuration set to a topic SES alone may publish to', () => {
      const [setName] = only('AWS::SES::ConfigurationSet')
      expect(setName).toBe('SendConfigurationSet')
      const [, destination] = only('AWS::SES::ConfigurationSetEventDestination')
      expect(destination.Properties.ConfigurationSetName).toEqual(ref(setName))
      expect(destination.Properties.EventDestination).toMatchObject({ Enabled: true, SnsDestination: { TopicARN: ref('SesEventsTopic') } })
      expect(destination.Properties.EventDestination.MatchingEventTypes).toEqual(expect.arrayContaining(['bounce', 'complaint']))
      expect([destination.DependsOn].flat()).toContain('SesEventsTopicPolicy')

      const topicPolicy = resources.SesEventsTopicPolicy!
      expect(topicPolicy.Properties.Topics).toEqual([ref('SesEventsTopic')])
      const [statement, ...more] = topicPolicy.Properties.PolicyDocument.Statement
      expect(more).toEqual([])
      expect(statement).toMatchObject({ Effect: 'Allow', Principal: { Service: 'ses.amazonaws.com' }, Action: 'sns:Publish', Resource: ref('SesEventsTopic') })
      expect(statement.Condition.StringEquals).toEqual({ 'AWS:SourceAccount': ref('AWS::AccountId'), 'AWS:SourceArn': configurationSetArn })
    })

    it('delivers the topic to the SES events queue raw, and only the topic may send there', () => {
      const subscription = resources.SesEventsSubscription!
      expect(subscription.Properties).toEqual({ TopicArn: ref('SesEventsTopic'), Protocol: 'sqs', Endpoint: arnOf('SesEventsQueue'), RawMessageDelivery: true })
      const policy = resources.SesEventsQueuePolicy!
      expect(policy.Properties.Queues).toEqual([ref('SesEventsQueue')])
      expect(policy.Properties.PolicyDocument.Statement).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: arnOf('SesEventsQueue'),
          Condition: { ArnEquals: { 'aws:SourceArn': ref('SesEventsTopic') } },
        }),
      ])
    })

    it('sends from the mail identity through the configuration set by default', () => {
      expect(resources.MailIdentity!.Properties.ConfigurationSetAttributes).toEqual({ ConfigurationSetName: ref('SendConfigurationSet') })
    })

    it('lets the send function send mail, use the table, and consume and feed its queues', () => {
      for (const action of ['ses:SendEmail', 'ses:SendRawEmail']) {
        expect(allows('SendFunction', action, identityArn), action).toBe(true)
        expect(allows('SendFunction', action, configurationSetArn), `${action} with the configuration set`).toBe(true)
      }
      for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem']) {
        expect(allows('SendFunction', action, arnOf('Table')), action).toBe(true)
      }
      for (const queue of ['SendQueue', 'SesEventsQueue']) {
        for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes']) {
          expect(allows('SendFunction', action, arnOf(queue)), `${action} on ${queue}`).toBe(true)
        }
      }
      expect(allows('SendFunction', 'sqs:SendMessage', arnOf('SendQueue'))).toBe(true)
      expect(allows('SendFunction', 'sqs:SendMessage', arnOf('SesEventsQueue'))).toBe(false)
      expect(allows('SendFunction', 's3:GetObject', { 'Fn::Sub': '${MailBucket.Arn}/*' })).toBe(false)
    })

    it('lets the send function read the mail templates under TemplatesS3Prefix, and only when it names some', () => {
      const conditional = statementsOf('SendFunction').filter((statement) => 'Fn::If' in statement)
      expect(conditional.map((statement) => [statement['Fn::If'][0], statement['Fn::If'][2]])).toEqual([
        ['HasTemplatesS3Prefix', ref('AWS::NoValue')],
        ['HasTemplatesS3Prefix', ref('AWS::NoValue')],
      ])
      const [read, list] = conditional.map((statement) => statement['Fn::If'][1])
      expect(read).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Sub': '${MailBucket.Arn}/${TemplatesS3Prefix}*' } })
      expect(list).toMatchObject({ Effect: 'Allow', Action: 's3:ListBucket', Resource: arnOf('MailBucket'), Condition: { StringLike: { 's3:prefix': { 'Fn::Sub': '${TemplatesS3Prefix}*' } } } })
      expect(template.Conditions!.HasTemplatesS3Prefix).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [ref('TemplatesS3Prefix'), ''] }] })
      // The web and inbound functions read the same prefix, only then (ListBucket they have for 404s).
      for (const name of ['WebFunction', 'InboundMailFunction']) {
        const [onlyThen] = statementsOf(name).filter((statement) => 'Fn::If' in statement)
        expect(onlyThen['Fn::If'][0], name).toBe('HasTemplatesS3Prefix')
        expect(onlyThen['Fn::If'][1], name).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Sub': '${MailBucket.Arn}/${TemplatesS3Prefix}*' } })
      }
    })

    it('gives each function only its own queues and bucket prefixes', () => {
      const mail = (prefix: string) => ({ 'Fn::Sub': `\${MailBucket.Arn}/${prefix}*` })
      const s3Grants = (name: string) =>
        statementsOf(name)
          .map((statement) => ('Fn::If' in statement ? statement['Fn::If'][1] : statement))
          .filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('s3:')))
          .flatMap((statement) => [statement.Action].flat().flatMap((action: string) => [statement.Resource].flat().map((resource: unknown) => `${action} ${JSON.stringify(resource)}`)))
          .sort()
      const templates = `s3:GetObject ${JSON.stringify(mail('${TemplatesS3Prefix}'))}`
      const lists = [`s3:GetObject ${JSON.stringify(mail('lists/'))}`, `s3:PutObject ${JSON.stringify(mail('lists/'))}`]
      const listing = `s3:ListBucket ${JSON.stringify(arnOf('MailBucket'))}`
      // The web function never reads received mail; the inbound function reads it (under the three mailboxes) but writes none.
      expect(s3Grants('WebFunction')).toEqual([...lists, listing, templates].sort())
      expect(s3Grants('InboundMailFunction')).toEqual([...['create/', 'rsvp/', 'bulk/'].map((prefix) => `s3:GetObject ${JSON.stringify(mail(prefix))}`), ...lists, listing, templates].sort())
      for (const name of ['WebFunction', 'InboundMailFunction']) {
        expect(allows(name, 'sqs:SendMessage', arnOf('SendQueue')), name).toBe(true)
        expect(allows(name, 'sqs:SendMessage', arnOf('InboundQueue')), name).toBe(false)
        expect(allows(name, 'sqs:ReceiveMessage', arnOf('SendQueue')), name).toBe(false)
      }
      // Only the inbound function consumes the inbound queue (its event source mapping needs these).
      for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) {
        expect(allows('InboundMailFunction', action, arnOf('InboundQueue')), action).toBe(true)
        expect(allows('WebFunction', action, arnOf('InboundQueue')), action).toBe(false)
      }
      expect(allows('WebFunction', 'dynamodb:DescribeTable', arnOf('Table'))).toBe(true)
      expect(allows('InboundMailFunction', 'dynamodb:DescribeTable', arnOf('Table'))).toBe(false)
    })

    it('takes the templates prefix server/config.ts takes, empty by default', () => {
      const parameter = (template.Parameters! as Record<string, Record<string, unknown>>).TemplatesS3Prefix!
      expect(parameter).toMatchObject({ Type: 'String', Default: '' })
      const pattern = new RegExp(String(parameter.AllowedPattern))
      const configTakes = (prefix: string) => {
        try {
          readConfig({ CIS_TEMPLATES_S3_PREFIX: prefix })
          return true
        } catch {
          return false
        }
      }
      for (const prefix of ['', 'templates/', 'config/cis/templates/', 'templates', '/templates/']) expect(pattern.test(prefix), prefix).toBe(configTakes(prefix))
    })

    it.each(['WebFunction', 'InboundMailFunction'])('lets %s queue send jobs and send mail through the configuration set', (name) => {
      expect(allows(name, 'sqs:SendMessage', arnOf('SendQueue'))).toBe(true)
      expect(allows(name, 'ses:SendRawEmail', configurationSetArn)).toBe(true)
      expect(allows(name, 'sqs:ReceiveMessage', arnOf('SesEventsQueue'))).toBe(false)
    })
  })

  it('outputs the addresses a deployer needs', () => {
    for (const name of [
      'ApiUrl', 'TableName', 'MailBucket', 'InboundQueueUrl', 'CreateMailbox', 'RsvpMailbox', 'BulkMailbox',
      'SendQueueUrl', 'SendDeadLetterQueueUrl', 'SesEventsQueueUrl', 'SesEventsDeadLetterQueueUrl', 'SesConfigurationSet',
    ]) {
      expect(template.Outputs![name], name).toBeDefined()
    }
    expect(template.Outputs!.SesEventsQueueUrl!.Value).toEqual(ref('SesEventsQueue'))
  })
})
