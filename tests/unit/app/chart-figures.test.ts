import { describe, it, expect } from 'vitest'
import { dayWords, everyDay, percentOf } from '../../../app/utils/chart-figures'

describe('percentOf', () => {
  it.each([
    [0, 0, '0%'],
    [0, 5, '0%'],
    [1, 3, '33%'],
    [2, 3, '67%'],
    [1, 200, '<1%'],
    [199, 200, '>99%'],
    [5, 5, '100%'],
  ])('%i of %i → %s', (part, whole, words) => {
    expect(percentOf(part, whole)).toBe(words)
  })
})

const answers = (ACCEPTED: number) => ({ ACCEPTED, DECLINED: 0, TENTATIVE: 0, 'NEEDS-ACTION': 0, DELEGATED: 0 })

describe('everyDay', () => {
  it('fills the quiet days between replies with zeros, across a month end', () => {
    expect(everyDay([{ day: '2026-11-29', answers: answers(2) }, { day: '2026-12-02', answers: answers(1) }]).map((day) => [day.day, day.answers.ACCEPTED])).toEqual([
      ['2026-11-29', 2],
      ['2026-11-30', 0],
      ['2026-12-01', 0],
      ['2026-12-02', 1],
    ])
  })

  it('keeps the last days only when replies span more than the limit', () => {
    const days = everyDay([{ day: '2026-01-01', answers: answers(1) }, { day: '2026-12-31', answers: answers(3) }], 10)
    expect(days).toHaveLength(10)
    expect(days[0]!.day).toBe('2026-12-22')
    expect(days.at(-1)!.answers.ACCEPTED).toBe(3)
  })

  it('is empty without replies', () => {
    expect(everyDay([])).toEqual([])
  })
})

describe('dayWords', () => {
  it('writes the year only when it is not this year', () => {
    expect(dayWords('2026-11-21', new Date('2026-12-01T00:00:00Z'))).toBe('21 Nov')
    expect(dayWords('2025-11-21', new Date('2026-12-01T00:00:00Z'))).toBe('21 Nov 2025')
  })
})
