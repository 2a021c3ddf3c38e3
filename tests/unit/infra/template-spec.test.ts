import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { readTemplate, parseTemplate } from '../../../infra/cfn-yaml'
import { loadSpec, resourceSpec, specProblems } from './cfn-spec'

const templatePath = fileURLToPath(new URL('../../../infra/template.yaml', import.meta.url))
// The specification is about 1,800 resource types: loaded once for the file (about half a second).
const spec = loadSpec()

const problemsOf = (yaml: string[]) => specProblems(spec, parseTemplate(['Resources:', ...yaml].join('\n')))

describe('infra/template.yaml against the CloudFormation resource specification', () => {
  it('uses only resource types, properties (at every depth) and attributes the specification has, with every required property', () => {
    expect(specProblems(spec, readTemplate(templatePath))).toEqual([])
  })

  it('is read from a specification that knows the newer properties the template uses', () => {
    // @aws-cdk/cfnspec (stopped in 2023) lacks Lambda's LoggingConfig.
    expect(Object.keys(resourceSpec(spec, 'AWS::Lambda::Function')!.properties)).toContain('LoggingConfig')
  })

  it.each([
    ['an unknown resource type', ['  X:', '    Type: AWS::SQS::Queueue'], ['X: AWS::SQS::Queueue is not a resource type']],
    ['an unknown property', ['  Q:', '    Type: AWS::SQS::Queue', '    Properties: { VisibilityTimeOut: 30 }'], ['Q.VisibilityTimeOut is not a property']],
    [
      'an unknown property of a nested property type',
      ['  F:', '    Type: AWS::Lambda::Function', '    Properties:', '      Role: r', '      Code: { S3Bucket: b, S3Key: k }', '      LoggingConfig: { LogGroup: g, Format: JSON }'],
      ['F.LoggingConfig.Format is not a property'],
    ],
    [
      'an unknown property inside a list item',
      ['  T:', '    Type: AWS::DynamoDB::Table', '    Properties:', '      KeySchema: [{ AttributeName: pk, KeyType: HASH, Sort: 1 }]'],
      ['T.KeySchema[0].Sort is not a property'],
    ],
    ['a missing required property', ['  F:', '    Type: AWS::Lambda::Function', '    Properties: { Code: { ZipFile: x } }'], ['F lacks the required Role']],
    [
      'a missing required property of a nested type',
      ['  T:', '    Type: AWS::DynamoDB::Table', '    Properties:', '      KeySchema: [{ AttributeName: pk }]'],
      ['T.KeySchema[0] lacks the required KeyType'],
    ],
    [
      'a map where a list belongs, in a branch of Fn::If',
      ['  Q:', '    Type: AWS::SQS::Queue', '    Condition: C', '  P:', '    Type: AWS::SQS::QueuePolicy', '    Properties:', '      PolicyDocument: {}', "      Queues: !If [C, { q: !Ref Q }, !Ref 'AWS::NoValue']"],
      ['P.Queues[If true] should be a list'],
    ],
    ['a resource attribute that does not exist', ['  Q:', '    Type: AWS::SQS::Queue', '    Propertes: {}'], ['Q: Propertes is not a resource attribute']],
    [
      'an attribute the target type lacks, in Fn::GetAtt and in Fn::Sub',
      ['  Q:', '    Type: AWS::SQS::Queue', '  T:', '    Type: AWS::SNS::Topic', '    Properties:', '      TopicName: !GetAtt Q.Url', "      DisplayName: !Sub '${Q.Arn}-${Q.Name}'"],
      ['Q (AWS::SQS::Queue) has no attribute Url', 'Q (AWS::SQS::Queue) has no attribute Name'],
    ],
  ])('finds %s', (_, yaml, expected) => {
    expect(problemsOf(yaml)).toEqual(expected)
  })

  it('accepts computed values, tags and free-form JSON', () => {
    expect(
      problemsOf([
        '  Q:',
        '    Type: AWS::SQS::Queue',
        '    Properties:',
        '      VisibilityTimeout: !Ref Timeout',
        '      RedrivePolicy: { deadLetterTargetArn: x, maxReceiveCount: 3 }',
        '      Tags: [{ Key: a, Value: b }]',
        "      QueueName: !If [C, !Sub '${AWS::StackName}-q', !Ref 'AWS::NoValue']",
      ]),
    ).toEqual([])
  })
})

/** Whether AWS's cfn-lint (Python) runs here; a shim on PATH without the tool behind it does not count. */
const cfnLintRuns = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0

describe('infra/template.yaml with cfn-lint', () => {
  const title = cfnLintRuns
    ? "passes AWS's cfn-lint without an error or a warning"
    : "is not linted here: AWS's cfn-lint (Python, `pip install cfn-lint`; not the npm package of that name) does not run on this machine"
  it.skipIf(!cfnLintRuns)(title, () => {
    const run = spawnSync('cfn-lint', [templatePath], { encoding: 'utf8' })
    expect(run.stdout + run.stderr).toBe('')
    expect(run.status).toBe(0)
  }, 60_000)
})
