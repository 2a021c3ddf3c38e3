/**
 * The stack, through CloudFormation: what exists, a change set to review before anything
 * changes, its execution with the stack's events shown as they happen, and deletion.
 */
import {
  CreateChangeSetCommand, DeleteChangeSetCommand, DeleteStackCommand, DescribeChangeSetCommand, DescribeStackEventsCommand, DescribeStacksCommand,
  ExecuteChangeSetCommand, type Change, type CloudFormationClient, type Parameter, type Stack, type StackEvent,
} from '@aws-sdk/client-cloudformation'
import { DeployError, explainAwsError } from './deploy-error'

export interface Waiting {
  /** Between two looks at a change set or a stack, ms. */
  pollMs: number
  say: (line: string) => void
  sleep?: (ms: number) => Promise<void>
}

const pause = (waiting: Waiting) => (waiting.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))))(waiting.pollMs)

/** The stack, or undefined when there is none of that name (CloudFormation answers ValidationError). */
export async function findStack(cloudFormation: CloudFormationClient, stackName: string): Promise<Stack | undefined> {
  try {
    const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))
    return answer.Stacks?.[0]
  } catch (error) {
    if ((error as { name?: string }).name === 'ValidationError' && /does not exist/.test((error as Error).message)) return undefined
    throw explainAwsError(error, `read the stack ${stackName}`)
  }
}

export const outputsOf = (stack: Stack): Record<string, string> =>
  Object.fromEntries((stack.Outputs ?? []).map((output) => [output.OutputKey!, output.OutputValue ?? '']))

const settled = (status: string) => !status.endsWith('_IN_PROGRESS')

/** A stack CloudFormation can take a change set for now, or a DeployError that says what to do. */
export function checkStackCanChange(stack: Stack | undefined) {
  if (!stack) return
  const status = stack.StackStatus ?? ''
  if (!settled(status) && status !== 'REVIEW_IN_PROGRESS') {
    throw new DeployError(`The stack ${stack.StackName} is busy (${status}): wait until it settles, then run npm run deploy again.`)
  }
  if (status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED' || status === 'DELETE_FAILED') {
    throw new DeployError(`The stack ${stack.StackName} failed to be created and cannot be updated (${status}): remove it with npm run deploy -- --delete, then deploy again.`)
  }
  if (status === 'UPDATE_ROLLBACK_FAILED') {
    throw new DeployError(`The stack ${stack.StackName} could not roll back its last update (UPDATE_ROLLBACK_FAILED): continue the rollback in the CloudFormation console (Stack actions, Continue update rollback), then deploy again.`)
  }
}

export interface ChangeSetPlan {
  name: string
  type: 'CREATE' | 'UPDATE'
  changes: Change[]
}

/** Creates a change set and waits until CloudFormation has worked it out; undefined when it holds no change. */
export async function createChangeSet(
  cloudFormation: CloudFormationClient,
  input: { stackName: string; type: 'CREATE' | 'UPDATE'; templateUrl: string; parameters: Parameter[]; name: string },
  waiting: Waiting,
): Promise<ChangeSetPlan | undefined> {
  await cloudFormation.send(new CreateChangeSetCommand({
    StackName: input.stackName,
    ChangeSetName: input.name,
    ChangeSetType: input.type,
    TemplateURL: input.templateUrl,
    Parameters: input.parameters,
    // The template makes IAM roles (without fixed names) for its functions.
    Capabilities: ['CAPABILITY_IAM'],
    Tags: [{ Key: 'calendar-invite-server', Value: input.stackName }],
  })).catch((error) => {
    throw explainAwsError(error, 'create the change set')
  })
  for (;;) {
    const described = await cloudFormation.send(new DescribeChangeSetCommand({ StackName: input.stackName, ChangeSetName: input.name }))
    if (described.Status === 'CREATE_COMPLETE') {
      const changes = [...(described.Changes ?? [])]
      let next = described.NextToken
      while (next) {
        const page = await cloudFormation.send(new DescribeChangeSetCommand({ StackName: input.stackName, ChangeSetName: input.name, NextToken: next }))
        changes.push(...(page.Changes ?? []))
        next = page.NextToken
      }
      return { name: input.name, type: input.type, changes }
    }
    if (described.Status === 'FAILED') {
      const reason = described.StatusReason ?? 'no reason given'
      await cloudFormation.send(new DeleteChangeSetCommand({ StackName: input.stackName, ChangeSetName: input.name })).catch(() => undefined)
      if (/didn't contain changes|No updates are to be performed/i.test(reason)) return undefined
      throw new DeployError(`CloudFormation refused the change set: ${reason.replace(/\.$/, '')}. Fix that (a parameter or the template) and run npm run deploy again.`)
    }
    await pause(waiting)
  }
}

const ACTION_MARK: Record<string, string> = { Add: '+', Modify: '~', Remove: '-', Import: '>', Dynamic: '?' }

/** The change set as lines people read: `+ WebFunction  AWS::Lambda::Function`, replacements said. */
export function describeChanges(changes: Change[]): string[] {
  return changes.map(({ ResourceChange: change }) => {
    const mark = ACTION_MARK[change?.Action ?? ''] ?? '·'
    const replaced = change?.Replacement === 'True' ? '  (replaced)' : change?.Replacement === 'Conditional' ? '  (may be replaced)' : ''
    return `  ${mark} ${(change?.LogicalResourceId ?? '?').padEnd(40)} ${change?.ResourceType ?? ''}${replaced}`
  })
}

export async function executeChangeSet(cloudFormation: CloudFormationClient, stackName: string, changeSetName: string) {
  await cloudFormation.send(new ExecuteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName })).catch((error) => {
    throw explainAwsError(error, 'execute the change set')
  })
}

export async function discardChangeSet(cloudFormation: CloudFormationClient, stackName: string, changeSetName: string) {
  await cloudFormation.send(new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName })).catch((error) => {
    throw explainAwsError(error, 'delete the change set')
  })
}

const FAILED = /_FAILED$/

/**
 * Waits until the stack settles, saying each new event (oldest first) as it comes; returns the
 * final status. Events before `since` belong to earlier operations and are not shown.
 */
export async function waitForStack(cloudFormation: CloudFormationClient, stackName: string, since: Date, waiting: Waiting): Promise<{ status: string; failures: string[] }> {
  const seen = new Set<string>()
  const failures: string[] = []
  for (;;) {
    let stack: Stack | undefined
    try {
      stack = (await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]
    } catch (error) {
      // A deleted stack is no longer found by its name.
      if (/does not exist/.test((error as Error).message)) return { status: 'DELETE_COMPLETE', failures }
      throw explainAwsError(error, `read the stack ${stackName}`)
    }
    const events: StackEvent[] = []
    let next: string | undefined
    do {
      const page = await cloudFormation.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken: next }))
      const fresh = (page.StackEvents ?? []).filter((event) => event.Timestamp && event.Timestamp >= since)
      events.push(...fresh.filter((event) => !seen.has(event.EventId!)))
      // Newest first: once a page reaches events already seen or older than `since`, stop.
      next = fresh.length === (page.StackEvents ?? []).length && fresh.every((event) => !seen.has(event.EventId!)) ? page.NextToken : undefined
    } while (next)
    for (const event of events.reverse()) {
      seen.add(event.EventId!)
      const reason = event.ResourceStatusReason ? `  ${event.ResourceStatusReason}` : ''
      waiting.say(`  ${event.Timestamp!.toISOString().slice(11, 19)}  ${(event.LogicalResourceId ?? '').padEnd(40)} ${event.ResourceStatus}${reason}`)
      if (FAILED.test(event.ResourceStatus ?? '') && event.ResourceStatusReason && !/cancelled|Resource creation cancelled|Resource update cancelled/i.test(event.ResourceStatusReason)) {
        failures.push(`${event.LogicalResourceId}: ${event.ResourceStatusReason}`)
      }
    }
    const status = stack?.StackStatus ?? 'DELETE_COMPLETE'
    if (settled(status)) return { status, failures }
    await pause(waiting)
  }
}

export async function deleteStack(cloudFormation: CloudFormationClient, stackName: string) {
  await cloudFormation.send(new DeleteStackCommand({ StackName: stackName })).catch((error) => {
    throw explainAwsError(error, `delete the stack ${stackName}`)
  })
}

/**
 * The stack's parameters as CloudFormation takes them: the given values, and every other one
 * the stack already has, kept as it is (unless the template no longer has it).
 */
export function stackParameters(given: Record<string, string>, existing: Stack | undefined, templateParameters: string[]): Parameter[] {
  const parameters: Parameter[] = Object.entries(given).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }))
  for (const previous of existing?.Parameters ?? []) {
    const key = previous.ParameterKey!
    if (!(key in given) && templateParameters.includes(key)) parameters.push({ ParameterKey: key, UsePreviousValue: true })
  }
  return parameters
}
