import { describe, it, expect } from 'vitest'
import { calendarLinksOf, wallClockText, type CalendarLinkEvent } from '../../../shared/calendar-links'

const page = 'https://events.example.com/events/AbCdEfGhIjKlMnOp'
const zoned: CalendarLinkEvent = {
  summary: 'Planning & budget', description: 'Line one\nLine two', location: 'Room 1, Berlin', pageUrl: page,
  start: '2027-03-10T17:00:00.000Z', end: '2027-03-10T18:30:00.000Z', allDay: false,
}
const allDay: CalendarLinkEvent = { ...zoned, summary: 'Offsite', location: null, description: null, start: '2027-03-10', end: '2027-03-12', allDay: true }
// One occurrence of a weekly series (the page gives the next one): the links carry that one only.
const occurrence: CalendarLinkEvent = { ...zoned, start: '2027-04-07T16:00:00.000Z', end: '2027-04-07T17:30:00.000Z' }

const paramsOf = (link: string) => Object.fromEntries(new URL(link).searchParams)
const baseOf = (link: string) => link.slice(0, link.indexOf('?'))

describe('calendarLinksOf (ITIP "Links a visitor clicks")', () => {
  describe('a timed event', () => {
    const links = calendarLinksOf(zoned, 'America/New_York')

    it('Google: UTC times with Z, the description with the page address, no ctz', () => {
      expect(baseOf(links.google)).toBe('https://calendar.google.com/calendar/render')
      expect(paramsOf(links.google)).toEqual({
        action: 'TEMPLATE', text: 'Planning & budget', dates: '20270310T170000Z/20270310T183000Z', details: `Line one\nLine two\n\n${page}`, location: 'Room 1, Berlin',
      })
    })

    it('Outlook.com and Office 365: the compose path, instants with Z, allday=false', () => {
      expect(baseOf(links.outlook)).toBe('https://outlook.live.com/calendar/0/action/compose')
      expect(baseOf(links.office365)).toBe('https://outlook.office.com/calendar/0/action/compose')
      for (const link of [links.outlook, links.office365]) {
        expect(paramsOf(link)).toEqual({
          subject: 'Planning & budget', startdt: '2027-03-10T17:00:00.000Z', enddt: '2027-03-10T18:30:00.000Z', allday: 'false', body: `Line one\nLine two\n\n${page}`, location: 'Room 1, Berlin',
        })
      }
    })

    it('Yahoo: the wall-clock time in the visitor\'s zone, no Z', () => {
      expect(baseOf(links.yahoo)).toBe('https://calendar.yahoo.com/')
      expect(paramsOf(links.yahoo)).toEqual({ v: '60', title: 'Planning & budget', st: '20270310T120000', et: '20270310T133000', desc: `Line one\nLine two\n\n${page}`, in_loc: 'Room 1, Berlin' })
      expect(paramsOf(calendarLinksOf(zoned, 'Asia/Tokyo').yahoo)).toMatchObject({ st: '20270311T020000', et: '20270311T033000' })
    })

    it('encodes spaces as %20 and never lets text break out of its parameter', { tags: ['security'] }, () => {
      const tricky = calendarLinksOf({ ...zoned, summary: 'A&B=C #1 ?x', location: null }, 'UTC')
      for (const link of Object.values(tricky)) {
        expect(link).not.toMatch(/ /)
        expect(Object.values(paramsOf(link))).toContain('A&B=C #1 ?x')
      }
    })

    it('gives an event without an end an hour', () => {
      expect(paramsOf(calendarLinksOf({ ...zoned, end: null }, 'UTC').google).dates).toBe('20270310T170000Z/20270310T180000Z')
    })
  })

  describe('an all-day event (stored end exclusive)', () => {
    const links = calendarLinksOf(allDay, 'America/New_York')

    it('Google: dates with an exclusive end, and no ctz (it breaks the Android app)', () => {
      expect(paramsOf(links.google)).toEqual({ action: 'TEMPLATE', text: 'Offsite', dates: '20270310/20270312', details: page })
    })

    it('Outlook and Office 365: dates, allday=true', () => {
      for (const link of [links.outlook, links.office365]) {
        expect(paramsOf(link)).toEqual({ subject: 'Offsite', startdt: '2027-03-10', enddt: '2027-03-12', allday: 'true', body: page })
      }
    })

    it('Yahoo: dates whatever the visitor\'s zone, dur=allday', () => {
      expect(paramsOf(links.yahoo)).toEqual({ v: '60', title: 'Offsite', st: '20270310', et: '20270312', dur: 'allday', desc: page })
      expect(paramsOf(calendarLinksOf(allDay, 'Pacific/Kiritimati').yahoo)).toMatchObject({ st: '20270310', et: '20270312' })
    })

    it('gives an all-day event without an end one day', () => {
      const single = calendarLinksOf({ ...allDay, end: null }, 'UTC')
      expect(paramsOf(single.google).dates).toBe('20270310/20270311')
      expect(paramsOf(single.outlook)).toMatchObject({ startdt: '2027-03-10', enddt: '2027-03-11' })
    })
  })

  describe('one occurrence of a recurring event', () => {
    const links = calendarLinksOf(occurrence, 'Europe/Berlin')

    it('adds that occurrence only: no recur on Google, the occurrence\'s own times everywhere', () => {
      expect(paramsOf(links.google)).not.toHaveProperty('recur')
      expect(paramsOf(links.google).dates).toBe('20270407T160000Z/20270407T173000Z')
      expect(paramsOf(links.outlook)).toMatchObject({ startdt: '2027-04-07T16:00:00.000Z', enddt: '2027-04-07T17:30:00.000Z' })
      // After the spring change Berlin is UTC+2.
      expect(paramsOf(links.yahoo)).toMatchObject({ st: '20270407T180000', et: '20270407T193000' })
    })
  })

  it('cuts a long description (a dial-in block) and keeps the page address', () => {
    const details = paramsOf(calendarLinksOf({ ...zoned, description: 'x'.repeat(5000) }, 'UTC').google).details!
    expect(details.length).toBeLessThan(1300)
    expect(details.endsWith(`…\n\n${page}`)).toBe(true)
  })
})

describe('wallClockText', () => {
  it.each([
    ['2027-03-10T17:00:00Z', 'UTC', '20270310T170000'],
    ['2027-03-10T17:00:00Z', 'Asia/Kolkata', '20270310T223000'],
    ['2027-01-01T04:59:59Z', 'America/New_York', '20261231T235959'],
    ['2027-03-10T00:00:00Z', 'Europe/London', '20270310T000000'],
  ])('%s in %s is %s', (instant, zone, expected) => {
    expect(wallClockText(Date.parse(instant), zone)).toBe(expected)
  })
})
