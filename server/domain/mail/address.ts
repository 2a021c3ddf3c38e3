/** The domain of an email address (`Alice <alice@Example.com>` → `example.com`), or '' without one. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@')
  return at === -1 ? '' : address.slice(at + 1).replace(/[<>\s]/g, '').toLowerCase()
}
