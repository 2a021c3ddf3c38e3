/**
 * Words the API, the dashboard's pages and the domain all use: kept here, below both, so
 * the pages can validate with the same schemas as the routes (shared/schemas/).
 */

/** iCalendar PARTSTAT values an attendee's answer can take (RFC 5545 3.2.12, for VEVENT). */
export const PARTSTAT_VALUES = ['NEEDS-ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE', 'DELEGATED'] as const
export type PartstatValue = (typeof PARTSTAT_VALUES)[number]

/** The dashboard's lists of an organizer's events. */
export const EVENT_VIEWS = ['upcoming', 'past', 'cancelled'] as const
export type EventView = (typeof EVENT_VIEWS)[number]

/** An event's STATUS (RFC 5545 3.8.1.11, for VEVENT). */
export const EVENT_STATUSES = ['CONFIRMED', 'TENTATIVE', 'CANCELLED'] as const
export type EventStatus = (typeof EVENT_STATUSES)[number]

/** How a person came to be an attendee: on the organizer's guest list, invited by this server, or answering a forwarded invite. */
export const ATTENDEE_SOURCES = ['organizer', 'invite', 'shared'] as const
export type AttendeeSource = (typeof ATTENDEE_SOURCES)[number]
