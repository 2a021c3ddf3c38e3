/**
 * Bulk senders against DynamoDB Local: the service the bulk mailbox asks (case-insensitive,
 * a limit or the default, who added them and when), and the system owners' routes on an h3
 * server, called with API tokens as automations would.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createApp, createRouter, send, setResponseStatus, toNodeListener } from 'h3'
import { bulkSenderOf, listBulkSenders, removeBulkSender, setBulkSender } from '../../server/services/bulk-senders'
import { createApiToken } from '../../server/services/api-tokens'
import { setOwner } from '../../server/services/owners'
import listRoute from '../../server/api/bulk-senders/index.get'
import putRoute from '../../server/api/bulk-senders/[email].put'
import deleteRoute from '../../server/api/bulk-senders/[email].delete'
import { useFreshTable } from './support'

describe('bulk senders (services/bulk-senders.ts)', () => {
  beforeAll(useFreshTable)

  it('adds a sender, finds them whatever the case of the address, and lists everyone by address', async () => {
    const before = new Date().toISOString()
    const added = await setBulkSender('  Mia@Lists.Example ', { dailyLimit: 250 }, 'Sam@Owners.example')
    expect(added).toEqual({ email: 'mia@lists.example', dailyLimit: 250, addedBy: 'sam@owners.example', addedAt: expect.any(String) })
    expect(added.addedAt >= before).toBe(true)
    expect(await bulkSenderOf('MIA@lists.example')).toEqual(added)
    expect(await bulkSenderOf('someone-else@lists.example')).toBeNull()

    await setBulkSender('bea@lists.example', { dailyLimit: null }, 'cli')
    await setBulkSender('cal@lists.example', { dailyLimit: 1 }, 'cli')
    expect((await listBulkSenders()).map((sender) => [sender.email, sender.dailyLimit, sender.addedBy])).toEqual([
      ['bea@lists.example', null, 'cli'],
      ['cal@lists.example', 1, 'cli'],
      ['mia@lists.example', 250, 'sam@owners.example'],
    ])
  })

  it('changes a limit, back to the default with null, keeping who added them and when', async () => {
    const added = (await bulkSenderOf('mia@lists.example'))!
    expect(await setBulkSender('mia@LISTS.example', { dailyLimit: 1_000_000 }, 'other@owners.example')).toEqual({ ...added, dailyLimit: 1_000_000 })
    expect(await setBulkSender('mia@lists.example', { dailyLimit: null }, 'other@owners.example')).toEqual({ ...added, dailyLimit: null })
    expect(await bulkSenderOf('mia@lists.example')).toEqual({ ...added, dailyLimit: null })
  })

  it('removes a sender, and says when there was none', async () => {
    expect(await removeBulkSender('CAL@lists.example')).toBe(true)
    expect(await bulkSenderOf('cal@lists.example')).toBeNull()
    expect(await removeBulkSender('cal@lists.example')).toBe(false)
    expect((await listBulkSenders()).map((sender) => sender.email)).toEqual(['bea@lists.example', 'mia@lists.example'])
  })

  it('lists a hundred and more senders, each once, in address order', async () => {
    await Promise.all(Array.from({ length: 120 }, (_, n) => setBulkSender(`many-${String(n).padStart(3, '0')}@lists.example`, { dailyLimit: n + 1 }, 'cli')))
    const listed = await listBulkSenders()
    expect(listed.filter((sender) => sender.email.startsWith('many-'))).toHaveLength(120)
    expect(listed.map((sender) => sender.email)).toEqual([...listed.map((sender) => sender.email)].sort())
  })
})

describe('the bulk senders API (system owners only)', () => {
  let base = ''
  let close = () => Promise.resolve()
  const tokens = { organizer: '', domainOwner: '', systemOwner: '' }
  const call = async (method: string, path: string, token: string | null, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null }
  }

  beforeAll(async () => {
    await useFreshTable()
    await setOwner('sam@api-owners.example', { systemOwner: true, domains: [] }, 'tests')
    await setOwner('dora@api-owners.example', { systemOwner: false, domains: ['lists.example'] }, 'tests')
    tokens.organizer = (await createApiToken('olga@lists.example')).token
    tokens.domainOwner = (await createApiToken('dora@api-owners.example')).token
    tokens.systemOwner = (await createApiToken('sam@api-owners.example')).token
    const router = createRouter()
      .get('/api/bulk-senders', listRoute)
      .put('/api/bulk-senders/:email', putRoute)
      .delete('/api/bulk-senders/:email', deleteRoute)
    // Refusals as Nitro sends them: JSON with the status and the sentence.
    const app = createApp({
      onError: (error, event) => {
        setResponseStatus(event, error.statusCode)
        return send(event, JSON.stringify({ statusCode: error.statusCode, message: error.message }), 'application/json')
      },
    })
    const server = createServer(toNodeListener(app.use(router)))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  })
  afterAll(() => close())

  it('lets a system owner add a sender, change the limit, list and remove them', async () => {
    const path = `/api/bulk-senders/${encodeURIComponent('Lena@Lists.example')}`
    const added = await call('PUT', path, tokens.systemOwner, { dailyLimit: 300 })
    expect(added).toEqual({ status: 200, body: { email: 'lena@lists.example', dailyLimit: 300, addedBy: 'sam@api-owners.example', addedAt: expect.any(String) } })
    expect(await call('PUT', path, tokens.systemOwner, { dailyLimit: null })).toEqual({ status: 200, body: { ...added.body, dailyLimit: null } })
    expect(await call('GET', '/api/bulk-senders', tokens.systemOwner)).toEqual({ status: 200, body: { bulkSenders: [{ ...added.body, dailyLimit: null }] } })
    expect(await bulkSenderOf('lena@lists.example')).toMatchObject({ dailyLimit: null })

    expect(await call('DELETE', path, tokens.systemOwner)).toEqual({ status: 204, body: null })
    expect(await bulkSenderOf('lena@lists.example')).toBeNull()
    expect(await call('DELETE', path, tokens.systemOwner)).toMatchObject({ status: 404, body: { message: 'lena@lists.example is not a bulk sender.' } })
  })

  it.each([
    [{ dailyLimit: 0 }, 'The daily limit is a whole number from 1 to 1,000,000.'],
    [{ dailyLimit: 1_000_001 }, 'The daily limit is a whole number from 1 to 1,000,000.'],
    [{ dailyLimit: 2.5 }, 'The daily limit is a whole number from 1 to 1,000,000.'],
    [{ dailyLimit: '100' }, 'The daily limit is a whole number from 1 to 1,000,000.'],
    [{}, 'The daily limit is a whole number from 1 to 1,000,000.'],
  ])('refuses the body %j with a sentence', async (body, message) => {
    expect(await call('PUT', '/api/bulk-senders/x%40lists.example', tokens.systemOwner, body)).toMatchObject({ status: 400, body: { message } })
    expect(await bulkSenderOf('x@lists.example')).toBeNull()
  })

  it('refuses an address that is not one', async () => {
    expect(await call('PUT', '/api/bulk-senders/not-an-address', tokens.systemOwner, { dailyLimit: null })).toMatchObject({ status: 400, body: { message: 'Give a valid email address.' } })
  })

  it('answers 401 without credentials and 403 to everyone but system owners, changing nothing', async () => {
    await setBulkSender('kept@lists.example', { dailyLimit: 5 }, 'tests')
    for (const [token, status] of [[null, 401], [tokens.organizer, 403], [tokens.domainOwner, 403]] as const) {
      expect((await call('GET', '/api/bulk-senders', token)).status).toBe(status)
      expect((await call('PUT', '/api/bulk-senders/kept%40lists.example', token, { dailyLimit: 9 })).status).toBe(status)
      expect((await call('DELETE', '/api/bulk-senders/kept%40lists.example', token)).status).toBe(status)
    }
    expect(await call('GET', '/api/bulk-senders', tokens.domainOwner)).toMatchObject({ body: { message: 'Only system owners may do this.' } })
    expect(await bulkSenderOf('kept@lists.example')).toMatchObject({ dailyLimit: 5 })
  })
})
