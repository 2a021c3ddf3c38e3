/**
 * What a mail address is, for the API's schemas, the dashboard's forms and the server's
 * mail alike (server/domain/mail/address.ts re-exports it): ASCII dot-separated words of
 * letters, digits and `_ ' + -` before the @ (no leading, trailing or doubled dot), and a
 * domain of letter-or-digit-led labels ending in a label of two or more letters, 254
 * characters at most. Nothing in it can end a header, a property or a parameter.
 */
import { z } from 'zod'

export const MAIL_ADDRESS = /^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/
export const MAX_MAIL_ADDRESS_LENGTH = 254

export function isMailAddress(value: string): boolean {
  return value.length <= MAX_MAIL_ADDRESS_LENGTH && MAIL_ADDRESS.test(value)
}

/** What a field that is no mail address is told. */
export const INVALID_MAIL_ADDRESS = 'Give a valid email address.'

/** A mail address field of a request, refused with `invalid` (the same rule as isMailAddress). */
export const mailAddress = (invalid = INVALID_MAIL_ADDRESS) =>
  z.email({ pattern: MAIL_ADDRESS, error: invalid }).max(MAX_MAIL_ADDRESS_LENGTH, 'The email address is too long.')
