// The module the build generates from the route files (server/openapi/route-files.ts):
// every route's operation with its method and path, for the OpenAPI document.
declare module '#api-operations' {
  export const routeOperations: () => {
    method: import('./api').HttpMethod
    path: string
    file: string
    operation: import('./api').ApiOperation
  }[]
}
