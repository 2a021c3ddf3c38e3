import { describe, it, expect } from 'vitest'
import PostalMime from 'postal-mime'
import { parseMime } from '../../../../server/domain/mail/postal-mime-fast'
import { corpusFile, corpusFiles, hasCorpus } from '../../../corpus'

const comparable = (email: Awaited<ReturnType<typeof PostalMime.parse>>) => ({
  ...email,
  attachments: email.attachments.map((a) => ({ ...a, content: Buffer.from(a.content as ArrayBuffer).toString('base64') })),
})

describe.skipIf(!hasCorpus)('parseMime (postal-mime without Node Blob)', () => {
  it.each(corpusFiles('eml'))('gives what PostalMime.parse gives for %s', async (name) => {
    const raw = corpusFile(`eml/${name}`)
    expect(comparable(await parseMime(raw))).toEqual(comparable(await PostalMime.parse(raw)))
  })

  it('puts the native Blob back, also when parsing throws', async () => {
    const native = globalThis.Blob
    await parseMime(corpusFile('eml/generic__tb__single-event.eml'))
    expect(globalThis.Blob).toBe(native)
    const hostile = new Proxy({}, { get: () => { throw new Error('unreadable input') } })
    await expect(parseMime(hostile as unknown as string)).rejects.toThrow('unreadable input')
    expect(globalThis.Blob).toBe(native)
  })
})
