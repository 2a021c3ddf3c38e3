/**
 * Port helpers for the local stack: which ports the fixed (dev) stack uses, whether they
 * are free, and free ports for test stacks.
 */
import net from 'node:net'
import { LOCAL_PORTS } from '../config'
import { LocalStackError } from './errors'

/** Everything local listens on the loopback interface only. */
export const LOCAL_HOST = '127.0.0.1'

export type LocalService = keyof typeof LOCAL_PORTS

/** Human names for error messages and the dev banner. */
export const SERVICE_NAMES: Record<LocalService, string> = {
  app: 'the Nuxt app',
  dynamodb: 'DynamoDB Local',
  s3: 'the S3 stand-in s3rver',
  sqs: 'the SQS stand-in fauxqs',
  ses: 'the SES stand-in aws-ses-v2-local',
  smtp: 'the inbound SMTP receiver',
}

/** The environment variable that moves one service of the fixed (dev) stack elsewhere. */
export const portVariable = (service: LocalService) => `CIS_PORT_${service.toUpperCase()}`

/**
 * The fixed ports, from LOCAL_PORTS unless CIS_PORT_<SERVICE> says otherwise (for a
 * developer whose machine already uses one of them).
 */
export function fixedPorts(env: NodeJS.ProcessEnv = process.env): Record<LocalService, number> {
  const ports = { ...LOCAL_PORTS } as Record<LocalService, number>
  for (const service of Object.keys(ports) as LocalService[]) {
    const raw = env[portVariable(service)]
    if (raw === undefined || raw === '') continue
    const port = Number(raw)
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new LocalStackError(`${portVariable(service)}=${raw} is not a port number (1-65535).`)
    }
    ports[service] = port
  }
  return ports
}

/** Resolves whether nothing listens on the port (on loopback or on all interfaces). */
export async function isPortFree(port: number): Promise<boolean> {
  // Some stand-ins bind 0.0.0.0 and others 127.0.0.1: a bind on either conflicts with one
  // of these two probes, so try both.
  for (const host of [LOCAL_HOST, '0.0.0.0']) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer()
      probe.once('error', () => resolve(false))
      probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)))
    })
    if (!free) return false
  }
  return true
}

/**
 * Throws one sentence naming the first taken port and its service, so `npm run dev`
 * fails before starting anything instead of half-way with an EADDRINUSE stack trace.
 */
export async function assertPortsFree(ports: Partial<Record<LocalService, number>>): Promise<void> {
  for (const [service, port] of Object.entries(ports) as [LocalService, number][]) {
    if (!(await isPortFree(port))) {
      throw new LocalStackError(
        `Port ${port} (${SERVICE_NAMES[service]}) is already in use; stop whatever uses it or set ${portVariable(service)}.`,
      )
    }
  }
}

/** A port the OS reports free right now (for servers that cannot be told to use port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen({ port: 0, host: LOCAL_HOST }, () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}
