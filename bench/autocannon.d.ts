// autocannon ships no types and @types/autocannon is not installed: the part the bench uses.
declare module 'autocannon' {
  interface RequestData {
    method: string
    path: string
    headers: Record<string, string>
    body?: string | Buffer
  }
  interface Options {
    url: string
    connections: number
    duration: number
    requests: Array<RequestData & { setupRequest?: (req: RequestData) => RequestData }>
  }
  interface Result {
    duration: number
    non2xx: number
    errors: number
    timeouts: number
  }
  interface Instance extends PromiseLike<Result> {
    on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): this
  }
  export default function autocannon(options: Options): Instance
}
