/**
 * The short form of `npm run load`: ten seconds of mixed load (mail in through SMTP, the
 * dashboard API, the public pages, a bulk send of 200, public-form abuse past every limit)
 * on this run's build, served a second time trusting one proxy (each simulated client is its
 * X-Forwarded-For entry), with the queue workers in a process of their own; then nothing
 * lost, no errors, and the form's limits held.
 */
import { describe, it, expect, afterAll } from 'vitest'
import { useTestContext } from '@nuxt/test-utils/e2e'
import { startBuiltServer, startWorkers, type Child } from '../../load/processes'
import { reportLines, runMixedLoad } from '../../load/mixed-load'

describe('ten seconds of mixed load', { tags: ['security'] }, () => {
  let server: (Child & { url: string }) | undefined
  let workers: Child | undefined
  afterAll(async () => {
    await workers?.stop()
    await server?.stop()
  })

  it('accounts for every message, with no errors, and the public form’s limits hold', { timeout: 90_000 }, async () => {
    // Where web-app.test.ts's setup built the app (Nitro's options are not in NuxtOptions' type
    // here). Read inside the test: the test context is set only while a test runs.
    const output = (useTestContext().nuxt?.options as { nitro?: { output?: { dir?: string } } } | undefined)?.nitro?.output?.dir
    if (!output) throw new Error('The e2e setup built no app to serve a second time.')
    server = await startBuiltServer(output, { ...process.env, CIS_TRUSTED_PROXIES: '1' })
    workers = await startWorkers({ ...process.env, CIS_SEND_RATE: '200' })
    const report = await runMixedLoad({ baseUrl: server!.url, smtpPort: Number(process.env.CIS_LOCAL_SMTP_PORT), seconds: 10, bulkRows: 200, drainSeconds: 20, drainLimitSeconds: 40 })
    const lines = reportLines(report)
    expect(report.errorSamples, lines.join('\n')).toEqual([])
    expect(report.lost, lines.join('\n')).toBe(0)
    expect(report.errors).toBe(0)
    expect(report.limits.map((limit) => limit.held)).toEqual([true, true, true, true])
    // Every limit was reached, so each was tried.
    for (const limit of report.limits.slice(0, 2)) expect(limit.observed).toMatch(/, [1-9]\d* answered 429/)
    expect(report.invitations.queued).toBe(200)
    expect(report.inbound.mailed).toBeGreaterThan(3)
    expect(lines.at(-1)).toBe(`load: ${report.mailed} messages mailed, ${report.mailed} accounted, 0 lost, 0 errors`)
  })
})
