// The fuzzer's harness: each way an input can end is told apart, the pool carries on after
// each, and a run's seed makes the same inputs again.
import { createHash } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { FuzzPool } from '../../fuzz/pool'
import { makeInput } from '../../fuzz/mutations'
import type { SeedFile } from '../../fuzz/seeds'

describe('FuzzPool', () => {
  const pool = new FuzzPool<string>(new URL('./misbehaving-targets.ts', import.meta.url), { cpuMs: 1000, wallMs: 4000, heapMb: 64, residentMb: 400 }, 1)
  afterAll(() => pool.close())

  it.each([
    ['hello', 'outcome'],
    ['spin', 'hang'],
    ['hello again', 'outcome'],
    ['throw', 'crash'],
    ['grow', 'over-memory'],
    ['allocate', 'over-memory'],
    ['after allocate', 'outcome'],
    ['buffers', 'over-memory'],
    ['exit', 'crash'],
    ['sleep', 'hang'],
    ['last', 'outcome'],
  ])('%s ends as %s', async (input, kind) => {
    const ending = await pool.run(input)
    expect(ending.kind).toBe(kind)
    if (input === 'spin') expect(ending).toMatchObject({ detail: 'more than 1000 ms of CPU time' })
    if (input === 'sleep') expect(ending).toMatchObject({ detail: 'no answer within 4000 ms on the clock' })
    if (input === 'allocate') expect(ending).toMatchObject({ detail: "the process's heap passed 64 MB" })
    if (input === 'buffers') expect(ending).toMatchObject({ detail: "the process's resident memory passed 400 MB" })
    if (input === 'throw') expect(ending).toMatchObject({ step: 'start', detail: expect.stringContaining('TypeError: Cannot read properties of undefined') })
  }, 30_000)
})

describe('makeInput', () => {
  const seeds: SeedFile[] = [
    { name: 'a.eml', kind: 'mail', bytes: new TextEncoder().encode('From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n') },
    { name: 'b.ics', kind: 'calendar', bytes: new TextEncoder().encode('BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:u\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n') },
    { name: 'c.csv', kind: 'list', bytes: new TextEncoder().encode('email,name\r\na@example.com,A\r\n') },
  ]
  // Each input as its description and a digest of its bytes (some are megabytes).
  const made = (seed: number, index: number) => {
    const { bytes, ...description } = makeInput(seeds, seed, index)
    return { ...description, sha256: createHash('sha256').update(bytes).digest('hex') }
  }
  const run = (seed: number) => Array.from({ length: 24 }, (_, index) => made(seed, index))

  it('makes the same inputs from the same seed and seed files, and others from another seed', () => {
    const [first, again, other] = [run(7), run(7), run(8)]
    expect(again).toEqual(first)
    expect(other).not.toEqual(first)
    expect(new Set(first.map((input) => input.kind))).toEqual(new Set(['mail', 'calendar', 'list']))
  }, 20_000)

  it('makes input n alone as it is made in the run', { timeout: 20_000 }, () => {
    expect(made(7, 23)).toEqual(run(7)[23])
  })
})
