/**
 * The public pages' buttons and forms work without JavaScript (or before the page's script
 * ran): the browser then posts the form itself, urlencoded, and is answered by being sent back
 * to the page, where the query says what happened. The page's script posts without a form body
 * and reads JSON.
 */
import { createError, getRequestHeader, type H3Event } from 'h3'

export const isPlainFormPost = (event: H3Event) => (getRequestHeader(event, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')

/**
 * Only this site's own pages post its forms (browsers say where a post comes from in
 * Sec-Fetch-Site): another site's page could otherwise have its visitors' browsers post them,
 * each visitor a client of its own to the limits.
 */
export function refusePostFromOtherSites(event: H3Event): void {
  const site = getRequestHeader(event, 'sec-fetch-site')
  if (site && site !== 'same-origin' && site !== 'none') throw createError({ statusCode: 403, message: 'This form can only be sent from this site’s own pages.' })
}
