import { describe, it, expect } from 'vitest'
import { lambdaFunctions } from '../../../../server/deploy/functions'
import { assetFileFor } from '../../../../server/deploy/assets'
import { readTemplate } from '../../../../infra/cfn-yaml'

const template = readTemplate(new URL('../../../../infra/template.yaml', import.meta.url))

describe('the zips npm run build:aws writes', () => {
  // Each function of the template whose code is uploaded gets exactly one zip, named by the
  // parameter its code comes from (the receipt rule set's activation handler is inline).
  it('are one for each Lambda function of the template, each started as index.handler', () => {
    const functions = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function' && !('ZipFile' in ((resource.Properties as { Code: object }).Code ?? {})),
    )
    expect(functions.length).toBe(3)
    const codeKeys = functions.map((resource) => {
      const properties = resource.Properties as { Handler: string; Code: { S3Key: { Ref: string } } }
      expect(properties.Handler).toBe('index.handler')
      return properties.Code.S3Key.Ref
    })
    expect(codeKeys.sort()).toEqual(lambdaFunctions.map((fn) => fn.codeKey).sort())
    for (const key of codeKeys) expect(template.Parameters, key).toHaveProperty(key)
  })
})

describe('assetFileFor', () => {
  it.each([
    ['/_nuxt/entry.DKCb1A2Z.css', '/a/_nuxt/entry.DKCb1A2Z.css'],
    ['/favicon.svg?v=2', '/a/favicon.svg'],
    ['/_nuxt/builds/meta/fd01.json', '/a/_nuxt/builds/meta/fd01.json'],
    ['/_nuxt/a%20b.js#x', '/a/_nuxt/a b.js'],
  ])('%s is %s', (urlPath, file) => {
    expect(assetFileFor('/a', urlPath)).toBe(file)
  })
})
