import { describe, it, expect } from 'vitest'
import { SES_RECEIVING_REGIONS, sesReceivingRegionsInWords } from '../../../infra/ses-receiving-regions'
import { readTemplate, type Template } from '../../../infra/cfn-yaml'

// Issue 17, items 3 and 4: the stack activates its receipt rule set, lets SES of this rule set
// alone write the mail bucket before the rules are made, names every DNS record the deployer
// must publish, keeps logs for LogRetentionDays and raises alarms to an SNS topic.
const template: Template = readTemplate(new URL('../../../infra/template.yaml', import.meta.url))
const resources = template.Resources
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type)
const ref = (name: string) => ({ Ref: name })
const RULES = ['CreateMailboxRule', 'RsvpMailboxRule', 'BulkMailboxRule']

describe('infra/template.yaml: mail activation', () => {
  it('activates the receipt rule set through a custom resource once the set and its rules exist', () => {
    const activation = resources.ReceiptRuleSetActivation!
    expect(activation.Type).toBe('Custom::ActiveReceiptRuleSet')
    expect(activation.Properties).toEqual({ ServiceToken: { 'Fn::GetAtt': ['ReceiptRuleSetActivationFunction', 'Arn'] }, RuleSetName: ref('ReceiptRuleSet') })
    expect([activation.DependsOn].flat().sort()).toEqual([...RULES].sort())
    const handler = resources.ReceiptRuleSetActivationFunction!.Properties
    const code: string = handler.Code.ZipFile
    expect(code).toContain("require('@aws-sdk/client-ses')")
    expect(code).toContain('SetActiveReceiptRuleSetCommand')
    // On Delete, only a set that is still the active one is deactivated.
    expect(code).toMatch(/RequestType === 'Delete'[\s\S]*DescribeActiveReceiptRuleSetCommand[\s\S]*Metadata\.Name === name/)
    expect(code).toMatch(/fetch\(event\.ResponseURL, \{ method: 'PUT'/)
    expect(handler.Runtime).toBe(resources.WebFunction!.Properties.Runtime)
  })

  it('gives the activation handler only the two SES calls and its own log group', () => {
    const role = resources[resources.ReceiptRuleSetActivationFunction!.Properties.Role['Fn::GetAtt'][0]]!
    const statements = role.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement)
    expect(statements).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: ['ses:SetActiveReceiptRuleSet', 'ses:DescribeActiveReceiptRuleSet'], Resource: '*' }),
      expect.objectContaining({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['ReceiptRuleSetActivationLogGroup', 'Arn'] } }),
    ])
    expect(role.Properties.ManagedPolicyArns).toBeUndefined()
  })

  it('refuses a region where SES receives no mail', () => {
    const [assertion] = (template as any).Rules.SesReceivesMailInRegion.Assertions
    const [regions, region] = assertion.Assert['Fn::Contains']
    expect(region).toEqual(ref('AWS::Region'))
    expect(regions).toEqual(expect.arrayContaining(['us-east-1', 'us-west-2', 'eu-west-1']))
    expect(regions).not.toContain('us-west-1')
    // The deploy command checks the same list before it makes anything.
    expect(regions).toEqual([...SES_RECEIVING_REGIONS])
    expect(assertion.AssertDescription).toBe(`SES receives email only in ${sesReceivingRegionsInWords()}.`)
  })

  it("lets SES write the bucket only for this account's rule set, with the policy in place before every rule", () => {
    const statement = resources.MailBucketPolicy!.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'AllowSesPuts')
    const condition = JSON.stringify(statement.Condition).toLowerCase()
    expect(condition).toContain('aws:sourceaccount')
    expect(condition).toContain('aws:sourcearn')
    expect(JSON.stringify(statement.Condition)).toContain('receipt-rule-set/${ReceiptRuleSet}:receipt-rule/*')
    expect(ofType('AWS::SES::ReceiptRule').map(([name]) => name).sort()).toEqual([...RULES].sort())
    for (const rule of RULES) expect([resources[rule]!.DependsOn].flat(), rule).toContain('MailBucketPolicy')
  })

  it('sends with a custom MAIL FROM domain', () => {
    expect(resources.MailIdentity!.Properties.MailFromAttributes).toEqual({ MailFromDomain: { 'Fn::Sub': 'bounce.${MailDomain}' }, BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' })
  })

  it('outputs every DNS record to publish, and the site URL', () => {
    const outputs = template.Outputs!
    const text = (name: string) => JSON.stringify(outputs[name]?.Value)
    expect(text('MxRecord')).toContain('inbound-smtp.${AWS::Region}.amazonaws.com')
    for (const n of [1, 2, 3]) expect(text(`DkimRecord${n}`)).toBe(JSON.stringify({ 'Fn::Sub': `\${MailIdentity.DkimDNSTokenName${n}} CNAME \${MailIdentity.DkimDNSTokenValue${n}}` }))
    expect(text('MailFromMxRecord')).toContain('bounce.${MailDomain} MX 10 feedback-smtp.${AWS::Region}.amazonses.com')
    expect(text('MailFromSpfRecord')).toContain('bounce.${MailDomain} TXT \\"v=spf1 include:amazonses.com ~all\\"')
    expect(text('DmarcRecord')).toContain('_dmarc.${MailDomain} TXT \\"v=DMARC1; p=quarantine')
    expect(outputs.SiteUrl).toBeDefined()
  })
})

describe('infra/template.yaml: logs and alarms', () => {
  it('keeps every log group for LogRetentionDays, 30 by default', () => {
    expect(template.Parameters!.LogRetentionDays).toMatchObject({ Type: 'Number', Default: 30 })
    const groups = ofType('AWS::Logs::LogGroup')
    expect(groups.length).toBeGreaterThanOrEqual(4)
    for (const [name, group] of groups) expect(group.Properties?.RetentionInDays, name).toEqual(ref('LogRetentionDays'))
    // and every function logs to one of them
    for (const [name, fn] of ofType('AWS::Lambda::Function')) expect(resources[fn.Properties.LoggingConfig.LogGroup.Ref]?.Type, name).toBe('AWS::Logs::LogGroup')
  })

  const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties)
  const alarmOn = (namespace: string, metric: string, dimension: string, value: unknown) =>
    alarms.filter((a) => a.Namespace === namespace && a.MetricName === metric && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: dimension, Value: value }]))

  it('raises an alarm when any dead-letter queue holds a message', () => {
    const deadLetterQueues = ofType('AWS::SQS::Queue')
      .filter(([, queue]) => queue.Properties?.RedrivePolicy)
      .map(([, queue]) => queue.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string)
    expect(deadLetterQueues.sort()).toEqual(['InboundDeadLetterQueue', 'SendDeadLetterQueue', 'SesEventsDeadLetterQueue'])
    for (const queue of deadLetterQueues) {
      const found = alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', { 'Fn::GetAtt': [queue, 'QueueName'] })
      expect(found, queue).toHaveLength(1)
      expect(found[0]).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [ref('AlarmTopic')] })
    }
  })

  it("raises an alarm on every function's errors", () => {
    for (const [name] of ofType('AWS::Lambda::Function')) {
      const found = alarmOn('AWS/Lambda', 'Errors', 'FunctionName', ref(name))
      expect(found, name).toHaveLength(1)
      expect(found[0]).toMatchObject({ Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [ref('AlarmTopic')] })
    }
  })

  it('mails the alarms to OperatorEmail only when it is given', () => {
    expect(template.Parameters!.OperatorEmail!.Default).toBe('')
    expect(template.Conditions!.HasOperatorEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [ref('OperatorEmail'), ''] }] })
    const subscriptions = ofType('AWS::SNS::Subscription').filter(([, s]) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify(ref('AlarmTopic')))
    expect(subscriptions).toHaveLength(1)
    expect(subscriptions[0]![1]).toMatchObject({ Condition: 'HasOperatorEmail', Properties: { Protocol: 'email', Endpoint: ref('OperatorEmail') } })
  })
})
