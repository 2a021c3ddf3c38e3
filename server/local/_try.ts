import { startLocalStack } from './stack'
import { createClients } from '../aws/clients'
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { ListQueuesCommand } from '@aws-sdk/client-sqs'
const t0 = Date.now()
const stack = await startLocalStack({ dataDir: '/tmp/scratch/data2', ports: 'free', log: (l) => console.log(Date.now() - t0, l) })
console.log('started in', Date.now() - t0)
const c = createClients(stack.config)
await c.s3.send(new ListObjectsV2Command({ Bucket: 'cis-mail' }))
await c.sqs.send(new ListQueuesCommand({}))
const t1 = Date.now()
await stack.stop()
console.log('stopped in', Date.now() - t1)
