import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { readMail } from '../../../../../server/domain/mail/read-mail'
import { readFirstCalendar } from '../../../../../server/domain/ical/read-calendar'

const fixture = (name: string) => readFileSync(new URL(`../../../../fixtures/mail/${name}`, import.meta.url))

async function masterOf(name: string) {
  const mail = await readMail(fixture(name))
  expect(mail.kind).toBe('message')
  return readFirstCalendar(mail.calendars).master!
}

describe('calendar text as the client wrote it (issue 11: charsets and folds)', () => {
  it('reads a Latin-1 invite.ics sent as application/octet-stream as windows-1252, not as broken UTF-8', async () => {
    const master = await masterOf('latin1-ics-as-octet-stream.eml')
    expect(master.summary).toBe("Réunion d'équipe à München")
    expect(master.organizer).toMatchObject({ name: 'Renée Müller' })
  })

  it('unfolds an invite.ics before decoding it: a UTF-8 character split by a fold at 75 octets reads whole', async () => {
    const master = await masterOf('utf8-fold-splits-character-octet-stream.eml')
    expect(master.summary).toBe('Planungsrunde für das Frühjahrsfest des Vereins mit Grüßen aus Köln')
  })

  it('unfolds before decoding: a UTF-8 character split by a fold at 75 octets reads whole', async () => {
    const master = await masterOf('utf8-fold-splits-character.eml')
    expect(master.summary).toBe('Planungsrunde für das Frühjahrsfest des Vereins mit Grüßen aus Köln')
    expect(master.organizer).toMatchObject({ email: 'juergen@groupware.example', name: 'Jürgen Weiß' })
  })

  it('reads an 8bit part with no charset that is not UTF-8 as windows-1252, as Exchange (CDO) sends it', async () => {
    const master = await masterOf('cdo-latin1-8bit-no-charset.eml')
    expect(master.summary).toBe("Réunion d'équipe à München")
    expect(master.location).toBe('Café König')
    expect(master.organizer).toMatchObject({ email: 'renee.mueller@cdo.example', name: 'Renée Müller' })
    expect(JSON.stringify(master)).not.toContain('\uFFFD')
  })

  // ISO-8859-2 tells a charset honoured from the windows-1252 fallback: ł is 0xB3, which is ³ there.
  it.each([
    ['outlook2003-latin1-quoted-printable.eml', "Réunion budgétaire de l'équipe Île-de-France : prévisions pour l'exercice à venir", 'Salle Hélène Boucher, 2e étage', 'François Lefèvre'],
    ['outlook2003-latin2-quoted-printable.eml', 'Spotkanie zespołu w Łodzi: budżet na przyszły rok i sprawy bieżące, źródła finansowania', 'Sala Żółta, II piętro', 'Łukasz Wiśniewski'],
  ])('honours the charset a quoted-printable text/calendar part names, as Outlook 2003 sends it (%s)', async (name, summary, location, organizer) => {
    const mail = await readMail(fixture(name))
    expect(mail.calendars).toHaveLength(1)
    expect(mail.calendars[0]!.contentTypeMethod).toBe('REQUEST')
    const master = readFirstCalendar(mail.calendars).master!
    expect(master).toMatchObject({ summary, location, organizer: { name: organizer } })
  })

  it('reads a declared, valid UTF-8 part whole, and its base64 invite.ics copy is the same calendar', async () => {
    // Inline quoted-printable (LF line ends once decoded) and a base64 copy (CRLF), a fold inside an emoji in both.
    const mail = await readMail(fixture('thunderbird-utf8-quoted-printable-and-ics-copy.eml'))
    expect(mail.calendars).toHaveLength(1)
    expect(mail.calendars[0]!.contentTypeMethod).toBe('REQUEST')
    const master = readFirstCalendar(mail.calendars).master!
    expect(master.summary).toBe('Sommerfest im Hof: Grüße, Kuchen und Spieße für alle Nachbarn 🎉 der Straße')
    expect(master.location).toBe('Innenhof Kastanienallee 5 – Café „Zur Linde“')
    expect(master.organizer).toMatchObject({ email: 'zoe@thunderbird.example', name: 'Zoë Ångström' })
  })

  it('reads a part whose charset label is unknown as if it named none: UTF-8 where the bytes are UTF-8', async () => {
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Example//EN', 'METHOD:REQUEST', 'BEGIN:VEVENT', 'UID:unknown-label@example.com', 'DTSTAMP:20261105T091500Z', 'DTSTART:20270301T170000Z', 'SUMMARY:Frühstück', 'ORGANIZER:mailto:o@example.com', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n')
    const raw = ['From: o@example.com', 'MIME-Version: 1.0', 'Content-Type: text/calendar; method=REQUEST; charset=unknown-8bit', 'Content-Transfer-Encoding: 8bit', '', ics].join('\r\n')
    const mail = await readMail(new TextEncoder().encode(raw))
    expect(readFirstCalendar(mail.calendars).master!.summary).toBe('Frühstück')
  })
})
