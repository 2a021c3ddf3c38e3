import { describe, it, expect } from 'vitest'
import { readdirSync } from 'node:fs'
import { readTemplate, referencesIn, type Template } from '../../../infra/cfn-yaml'

/** The CloudFront distribution of infra/template.yaml: what goes where, and how long it is kept. */
const template: Template = readTemplate(new URL('../../../infra/template.yaml', import.meta.url))
const resources = template.Resources

// AWS's managed policies (the same ids in every account).
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad'
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6'
const ALL_VIEWER_EXCEPT_HOST = 'b689b0a8-53d0-40ab-baf2-68738e2966ac'
const YEAR = 31536000
const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']

const config = resources.Distribution!.Properties.DistributionConfig
const origins: any[] = config.Origins
const behaviours: any[] = config.CacheBehaviors
const originOf = (behaviour: any) => origins.find((origin) => origin.Id === behaviour.TargetOriginId)
const behaviourFor = (pattern: string) => {
  const found = behaviours.filter((behaviour) => behaviour.PathPattern === pattern)
  expect(found, pattern).toHaveLength(1)
  return found[0]
}
/** The behaviour CloudFront picks for a path: the first pattern that matches (`*` any characters), else the default. */
const behaviourOfPath = (path: string) =>
  behaviours.find((behaviour) => new RegExp('^' + String(behaviour.PathPattern).split('*').map((part) => part.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('.*') + '$').test(path)) ??
  config.DefaultCacheBehavior
const webOrigin = () => origins.find((origin) => origin.Id === 'web')
const assetsOrigin = () => origins.find((origin) => origin.Id === 'assets')

describe('the CloudFront distribution', () => {
  it('has two origins: the HTTP API by its host name over https, and the assets bucket through origin access control', () => {
    expect(origins.map((origin) => origin.Id).sort()).toEqual(['assets', 'web'])
    expect(webOrigin().DomainName).toEqual({ 'Fn::Select': [1, { 'Fn::Split': ['://', { 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] }] }] })
    expect(webOrigin().CustomOriginConfig.OriginProtocolPolicy).toBe('https-only')
    // Not a Lambda function URL: origin access control signing of a function URL breaks POST bodies.
    expect(JSON.stringify(config)).not.toContain('FunctionUrl')
    expect(Object.values(resources).map((resource) => resource.Type)).not.toContain('AWS::Lambda::Url')

    expect(assetsOrigin().DomainName).toEqual({ 'Fn::GetAtt': ['AssetsBucket', 'RegionalDomainName'] })
    expect(assetsOrigin().OriginAccessControlId).toEqual({ 'Fn::GetAtt': ['AssetsOriginAccessControl', 'Id'] })
    expect(assetsOrigin().S3OriginConfig).toEqual({ OriginAccessIdentity: '' })
    expect(resources.AssetsOriginAccessControl!.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    })
  })

  it('keeps the assets bucket private and encrypted, readable by this distribution alone', () => {
    const bucket = resources.AssetsBucket!.Properties
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true })
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256')

    const policy = resources.AssetsBucketPolicy!.Properties
    expect(policy.Bucket).toEqual({ Ref: 'AssetsBucket' })
    const allows = (policy.PolicyDocument.Statement as any[]).filter((statement) => statement.Effect === 'Allow')
    expect(allows).toEqual([
      {
        Sid: 'AllowDistributionReads',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Sub': '${AssetsBucket.Arn}/*' },
        Condition: { StringEquals: { 'AWS:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}' } } },
      },
    ])
  })

  it('sends the content-hashed /_nuxt/* bundles to the bucket, kept a year at the edge and in browsers', () => {
    const nuxt = behaviourFor('/_nuxt/*')
    expect(originOf(nuxt).Id).toBe('assets')
    expect(nuxt.CachePolicyId).toEqual({ Ref: 'AssetsCachePolicy' })
    expect(resources.AssetsCachePolicy!.Properties.CachePolicyConfig).toMatchObject({ MinTTL: YEAR, DefaultTTL: YEAR, MaxTTL: YEAR })
    expect(nuxt.ResponseHeadersPolicyId).toEqual({ Ref: 'AssetsResponseHeadersPolicy' })
    expect(resources.AssetsResponseHeadersPolicy!.Properties.ResponseHeadersPolicyConfig.CustomHeadersConfig.Items).toEqual([
      { Header: 'Cache-Control', Value: `public, max-age=${YEAR}, immutable`, Override: true },
    ])
    expect(nuxt.AllowedMethods.sort()).toEqual(['GET', 'HEAD'])
    expect(behaviourOfPath('/_nuxt/entry.Ab12Cd34.js')).toBe(nuxt)
  })

  it("never keeps Nuxt's app manifest, which names the latest build under a fixed name", () => {
    const manifest = behaviourFor('/_nuxt/builds/latest.json')
    expect(originOf(manifest).Id).toBe('assets')
    expect(manifest.CachePolicyId).toBe(CACHING_DISABLED)
    expect(behaviourOfPath('/_nuxt/builds/latest.json')).toBe(manifest)
    expect(behaviourOfPath('/_nuxt/builds/meta/0a1b2c.json')).toBe(behaviourFor('/_nuxt/*'))
  })

  it('serves every file of public/ from the bucket, with the managed CachingOptimized policy (their names do not change between builds)', () => {
    const files = readdirSync(new URL('../../../public/', import.meta.url))
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) {
      const behaviour = behaviourOfPath(`/${file}`)
      expect(behaviour.PathPattern, file).toBe(`/${file}`)
      expect(originOf(behaviour).Id, file).toBe('assets')
      expect(behaviour.CachePolicyId, file).toBe(CACHING_OPTIMIZED)
      expect(behaviour.ResponseHeadersPolicyId, file).toBeUndefined()
    }
  })

  it('never keeps the API or the dashboard, and forwards them every header (Authorization too), cookie and query string', () => {
    for (const pattern of ['/api/*', '/dashboard*']) {
      const behaviour = behaviourFor(pattern)
      expect(originOf(behaviour).Id, pattern).toBe('web')
      expect(behaviour.CachePolicyId, pattern).toBe(CACHING_DISABLED)
      expect(behaviour.OriginRequestPolicyId, pattern).toBe(ALL_VIEWER_EXCEPT_HOST)
      expect([...behaviour.AllowedMethods].sort(), pattern).toEqual(ALL_METHODS)
    }
    for (const path of ['/api/events/upcoming', '/api/tokens', '/dashboard', '/dashboard/events/abc']) expect(behaviourOfPath(path).CachePolicyId, path).toBe(CACHING_DISABLED)
  })

  it("sends everything else to the web function, kept only as long as the server's Cache-Control says", () => {
    const web = config.DefaultCacheBehavior
    expect(originOf(web).Id).toBe('web')
    expect([...web.AllowedMethods].sort()).toEqual(ALL_METHODS)
    expect(web.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST)
    expect(web.CachePolicyId).toEqual({ Ref: 'WebCachePolicy' })
    const policy = resources.WebCachePolicy!.Properties.CachePolicyConfig
    expect(policy.MinTTL).toBe(0)
    expect(policy.DefaultTTL).toBe(0)
    expect(policy.MaxTTL).toBeGreaterThan(0)
    // Path and query only: no cookie or header splits the cache of the public pages.
    expect(policy.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
      HeadersConfig: { HeaderBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'all' },
    })
    for (const path of ['/', '/events/abc', '/organizers/o1', '/sign-in', '/rsvp/token']) expect(behaviourOfPath(path), path).toBe(web)
  })

  it('redirects plain http to https on every behaviour', () => {
    for (const behaviour of [config.DefaultCacheBehavior, ...behaviours]) expect(behaviour.ViewerProtocolPolicy, behaviour.PathPattern ?? 'default').toBe('redirect-to-https')
  })

  it('takes an optional custom domain with a us-east-1 certificate, else the CloudFront default certificate', () => {
    const parameters = template.Parameters!
    expect(parameters.DomainName!.Default).toBe('')
    expect(parameters.CertificateArn!.Default).toBe('')
    const certificatePattern = new RegExp((parameters.CertificateArn as unknown as { AllowedPattern: string }).AllowedPattern)
    expect(certificatePattern.test('arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab')).toBe(true)
    expect(certificatePattern.test('arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab')).toBe(false)
    expect(referencesIn(template.Conditions!.HasCustomDomain).map((r) => r.name).sort()).toEqual(['CertificateArn', 'DomainName'])
    expect(config.Aliases).toEqual({ 'Fn::If': ['HasCustomDomain', [{ Ref: 'DomainName' }], { Ref: 'AWS::NoValue' }] })
    expect(config.ViewerCertificate).toEqual({
      'Fn::If': [
        'HasCustomDomain',
        { AcmCertificateArn: { Ref: 'CertificateArn' }, SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' },
        { CloudFrontDefaultCertificate: true },
      ],
    })
  })

  it('outputs its domain, the site URL through it and the assets bucket; the site URL in mail is its address unless SiteUrl names another', () => {
    const outputs = template.Outputs!
    const distributionUrl = { 'Fn::If': ['HasCustomDomain', { 'Fn::Sub': 'https://${DomainName}' }, { 'Fn::Sub': 'https://${Distribution.DomainName}' }] }
    expect(outputs.DistributionDomainName!.Value).toEqual({ 'Fn::GetAtt': ['Distribution', 'DomainName'] })
    expect(outputs.DistributionUrl!.Value).toEqual(distributionUrl)
    expect(outputs.AssetsBucket!.Value).toEqual({ Ref: 'AssetsBucket' })
    const siteUrl = { 'Fn::If': ['HasSiteUrl', { Ref: 'SiteUrl' }, distributionUrl] }
    expect(outputs.SiteUrl!.Value).toEqual(siteUrl)
    // The distribution depends on the HTTP API, never on a function: naming it makes no cycle
    // (template.test.ts looks for cycles across the whole template).
    for (const name of ['WebFunction', 'InboundMailFunction', 'SendFunction']) {
      expect(resources[name]!.Properties.Environment.Variables.CIS_SITE_URL, name).toEqual(siteUrl)
      const targets = referencesIn(resources[name]).map((r) => r.name)
      for (const cdn of ['AssetsBucket', 'WebCachePolicy']) expect(targets, `${name} -> ${cdn}`).not.toContain(cdn)
    }
  })

  it('proves to the web function that a request came through it, with a value only the stack knows', () => {
    const stackSecret = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }
    expect(webOrigin().OriginCustomHeaders).toEqual([{ HeaderName: 'X-Cis-Origin-Verify', HeaderValue: stackSecret }])
    expect(resources.WebFunction!.Properties.Environment.Variables.CIS_ORIGIN_VERIFY).toEqual(stackSecret)
    // Only then is the one X-Forwarded-For hop CloudFront appends the client's.
    expect(template.Parameters!.TrustedProxies!.Default).toBe(1)
  })
})
