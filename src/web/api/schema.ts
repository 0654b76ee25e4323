import type { paths } from './generated/openapi'

/**
 * The API's shapes, taken from the server's OpenAPI document (`npm run gen:api` writes
 * `generated/openapi.ts`; a test fails when it is stale). Web code names a type by its route:
 *
 *   type Ticket = ApiData<'/api/v1/tickets/{id}'>
 *   type NewTicket = ApiBody<'/api/v1/tickets', 'post'>
 *   type TicketRow = ApiItem<'/api/v1/tickets'>
 */

export type ApiPath = keyof paths
export type ApiMethod = 'get' | 'post' | 'put' | 'patch' | 'delete'

type Operation<P extends ApiPath, M extends ApiMethod> = NonNullable<paths[P][M]>
type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : never
type SuccessOf<O> = O extends { responses: infer R }
  ? 200 extends keyof R ? R[200] : 201 extends keyof R ? R[201] : 202 extends keyof R ? R[202] : never
  : never

/** The JSON a route answers with on success: `{ success, data, meta? }`. */
export type ApiResponseOf<P extends ApiPath, M extends ApiMethod = 'get'> = JsonOf<SuccessOf<Operation<P, M>>>
/** The `data` of a route's success answer. */
export type ApiData<P extends ApiPath, M extends ApiMethod = 'get'> = ApiResponseOf<P, M> extends { data: infer D } ? D : never
/** One element of a list route's `data`. */
export type ApiItem<P extends ApiPath, M extends ApiMethod = 'get'> = ApiData<P, M> extends readonly (infer T)[] ? T : never
/** The JSON body a route accepts. */
export type ApiBody<P extends ApiPath, M extends ApiMethod> = Operation<P, M> extends { requestBody?: infer B }
  ? JsonOf<NonNullable<B>>
  : never
/** The query string a route accepts. */
export type ApiQuery<P extends ApiPath, M extends ApiMethod = 'get'> = Operation<P, M> extends { parameters: { query?: infer Q } }
  ? NonNullable<Q>
  : never
