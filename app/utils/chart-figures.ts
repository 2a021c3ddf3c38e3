/**
 * The figures the event's charts draw and write out, computed the same way for the graphic
 * and its text: colours, percentages, and replies per day with the quiet days in between.
 */
import type { AnswersOnDay } from '../../shared/schemas/events'
import type { PartstatValue } from '../../shared/vocabulary'

/**
 * Chart colours per answer: the hues of ANSWERS (app/utils/answers.ts), each dark enough for
 * a 3:1 contrast against the white card and the white gaps between segments.
 */
export const ANSWER_COLORS: Record<PartstatValue, string> = {
  ACCEPTED: '#16a34a',
  TENTATIVE: '#d97706',
  DECLINED: '#dc2626',
  'NEEDS-ACTION': '#64748b',
  DELEGATED: '#7c3aed',
}
export const SHARED_COLOR = '#0284c7'
export const FUNNEL_COLOR = '#334155'

/** `part` of `whole` as a whole percentage for people to read: "0%", "<1%", "33%", "100%". */
export function percentOf(part: number, whole: number): string {
  if (!whole || !part) return '0%'
  const percent = (part / whole) * 100
  if (percent < 1) return '<1%'
  if (percent > 99 && part < whole) return '>99%'
  return `${Math.round(percent)}%`
}

const DAY_MS = 86_400_000

/**
 * Replies per UTC day from the first day with a reply to the last, the days without one
 * counted as zero, so the time axis is even. Over `maxDays` only the last `maxDays` are kept.
 */
export function everyDay(days: AnswersOnDay[], maxDays = 90): AnswersOnDay[] {
  if (!days.length) return []
  const byDay = new Map(days.map((day) => [day.day, day.answers]))
  const first = Date.parse(`${days[0]!.day}T00:00:00Z`)
  const last = Date.parse(`${days[days.length - 1]!.day}T00:00:00Z`)
  const start = Math.max(first, last - (maxDays - 1) * DAY_MS)
  const zero = Object.fromEntries(Object.keys(days[0]!.answers).map((key) => [key, 0])) as AnswersOnDay['answers']
  const all: AnswersOnDay[] = []
  for (let at = start; at <= last; at += DAY_MS) {
    const day = new Date(at).toISOString().slice(0, 10)
    all.push({ day, answers: byDay.get(day) ?? zero })
  }
  return all
}

/** A UTC day (`YYYY-MM-DD`) as people write it: "21 Nov" (with the year when it is not this year's). */
export function dayWords(day: string, now = new Date()): string {
  const date = new Date(`${day}T00:00:00Z`)
  const sameYear = date.getUTCFullYear() === now.getUTCFullYear()
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }), timeZone: 'UTC' })
}
