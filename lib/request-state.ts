import type { FastifyRequest } from 'fastify'
import type { User } from '../types/index.js'

export const kLoginState = Symbol('fastify-login.state')

export type RememberAction =
  | { readonly op: 'set', readonly value: string, readonly maxAge: number }
  | { readonly op: 'clear' }

/** What fastify-login learned and decided about one request; lives on the request under a Symbol. */
export class LoginState {
  /** The authenticated user loaded for (or logged in by) this request, if any. */
  user: User | null = null
  /** The request carried a remember cookie (valid or not). */
  cookieSeen = false
  /** The request carried a valid remember cookie that restored or confirmed the login. */
  remembered = false
  /** The user came from requestLoader/headerLoader: nothing about it is persisted. */
  stateless = false
  /** Remember cookie to set or clear when the response goes out. */
  rememberAction: RememberAction | null = null
  /** The response depends on who the user is (Vary: Cookie). */
  varies = false
  /** The login changed in this request (Cache-Control: no-store). */
  loginChanged = false
}

export type RequestWithState = FastifyRequest & { [kLoginState]: LoginState }

export function stateOf (request: FastifyRequest): LoginState {
  return (request as RequestWithState)[kLoginState]
}
