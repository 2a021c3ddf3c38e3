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
