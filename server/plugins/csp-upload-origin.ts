/**
 * The dashboard PUTs list files straight to S3 at a presigned URL, so the pages' policy
 * (nuxt-security, fixed at build time in nuxt.config.ts) must let scripts connect to the mail
 * bucket's origin, which is only known at run time: the local stand-in's address (tests start
 * it on a free port) or the bucket's own host on AWS.
 */
import { config, type AppConfig } from '../config'

/** Where a presigned URL of the mail bucket points: path style on the local endpoint, virtual-hosted on AWS. */
export function mailBucketOrigin(cfg: AppConfig): string {
  return cfg.endpoints.s3 ? new URL(cfg.endpoints.s3).origin : `https://${cfg.mailBucket}.s3.${cfg.region}.amazonaws.com`
}

export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('nuxt-security:routeRules', (rules) => {
    const headers = rules['/**']?.headers
    const policy = headers ? headers.contentSecurityPolicy : undefined
    if (!policy) return
    const connect = policy['connect-src']
    const sources = Array.isArray(connect) ? connect : typeof connect === 'string' ? connect.split(/\s+/).filter(Boolean) : ["'self'"]
    policy['connect-src'] = [...new Set([...sources, mailBucketOrigin(config())])]
  })
})
