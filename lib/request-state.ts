import type { FastifyRequest } from 'fastify'
import type { UserType as User } from '../types/index.js'

export const kLoginState = Symbol('fastify-login.state')

export type RememberAction =
  | { readonly op: 'set', readonly value: string, readonly maxAge: number, readonly refresh?: boolean }
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
  /** headerLoader was consulted with the request's authHeaderName header (Vary: <that header>). */
  variesByHeader = false
  /** The login changed in this request (Cache-Control: no-store). */
  loginChanged = false
}

/** The state of every request that carried no credentials: shared, and frozen so no one writes to it. */
export const IDLE_STATE: LoginState = Object.freeze(new LoginState())

export type RequestWithState = FastifyRequest & { [kLoginState]: LoginState }

export function stateOf (request: FastifyRequest): LoginState {
  return (request as RequestWithState)[kLoginState]
}

/** The request's own state, created on the first write of a request that started idle. */
export function writableState (request: FastifyRequest): LoginState {
  let state = (request as RequestWithState)[kLoginState]
  if (state === IDLE_STATE) {
    state = new LoginState()
    ;(request as RequestWithState)[kLoginState] = state
  }
  return state
}
