// Errors thrown with only a sentence (createError({ statusCode, message })) would answer
// "statusMessage": "Server Error" even for a 400 or 404: give them their HTTP reason phrase.
import { STATUS_CODES } from 'node:http'

export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('error', (error) => {
    const httpError = error as { statusCode?: number; statusMessage?: string }
    if (httpError.statusCode && httpError.statusCode < 500 && !httpError.statusMessage) httpError.statusMessage = STATUS_CODES[httpError.statusCode]
  })
})
