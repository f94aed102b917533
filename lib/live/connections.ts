// Binds WebSockets and event streams to the tracked session that logged their request in, and
// closes them when it ends: a WebSocket with code 3000 and the reason, an event stream ended
// (@fastify/sse's reply.sse.close(), or the raw response of a hijacked reply).
import type { IncomingMessage } from 'node:http'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { SessionEndReason } from '../../types/index.js'
import { stateOf } from '../core/state.js'
import { authHashOf, idOf } from '../core/user.js'
import { AUTH_HASH, SID } from '../login/keys.js'
import type { LoginParts } from '../login/write.js'
import type { EndListener, LiveSessions } from './sessions.js'

/** The close code of a WebSocket whose session ended (registered "Unauthorized"). */
export const CLOSE_CODE = 3000

interface WebSocketLike {
  close (code: number, reason: string): void
  once (event: 'close', listener: () => void): unknown
}

/** An upgrade request waiting for its WebSocket: its session may end before the socket opens. */
interface Upgrade {
  socket: WebSocketLike | null
  ended: SessionEndReason | null
}

const EVENT_STREAM = /\btext\/event-stream\b/i

/** The tracked session that logged a request in: its id, its user's id, the auth hash of the login. */
interface Binding { sid: string, userId: string, authHash: unknown }

/** The tracked session that logged `request` in; null when none did. */
function boundSession (parts: LoginParts, request: FastifyRequest): Binding | null {
  const { user, stateless, transientSid } = stateOf(request)
  if (user === null || stateless) return null
  const userId = idOf(parts.options, user)
  if (transientSid !== null) {
    // a login for this request only wrote no session: the restore checked the user's hash
    return { sid: transientSid, userId, authHash: authHashOf(user) }
  }
  // with `sessions`, a session login always names its tracked session
  return { sid: parts.engine.get(request, SID) as string, userId, authHash: parts.engine.get(request, AUTH_HASH) }
}

/**
 * Ends an event stream: @fastify/sse's own close, else the raw response once it streams (a
 * hijacked reply; its headers may have gone out through writeHead, which getHeader cannot see).
 */
function endStream (reply: FastifyReply): void {
  const sse = (reply as { sse?: { close (): void } }).sse
  if (sse !== undefined) {
    sse.close()
  } else if (reply.raw.headersSent) {
    reply.raw.end()
  }
}

export function createConnections (parts: LoginParts, live: LiveSessions) {
  const upgrades = new WeakMap<IncomingMessage, Upgrade>()

  /** `listener` bound to the request's session until `closed` fires; a no-op remover when there is none. */
  function bind (request: FastifyRequest, listener: EndListener, closed: { once (event: 'close', listener: () => void): unknown }): () => void {
    const session = boundSession(parts, request)
    if (session === null) return () => {}
    let called = false
    const remove = live.add(session.sid, session.userId, session.authHash, request, (reason) => {
      called = true
      listener(reason)
    })
    closed.once('close', remove)
    return () => { if (!called) remove() }
  }

  /** onRequest, after the user is loaded: upgrade and event-stream requests are bound. */
  function onRequest (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const { headers } = request
    if (headers.upgrade !== undefined) {
      const upgrade: Upgrade = { socket: null, ended: null }
      upgrades.set(request.raw, upgrade)
      bind(request, (reason) => {
        upgrade.ended = reason
        upgrade.socket?.close(CLOSE_CODE, reason)
      }, request.raw.socket)
    } else if (headers.accept !== undefined && EVENT_STREAM.test(headers.accept)) {
      bind(request, () => { endStream(reply) }, request.raw)
    }
    done()
  }

  /** The WebSocket server's `connection` event (@fastify/websocket): the socket of an upgrade. */
  function onSocket (socket: WebSocketLike, raw: IncomingMessage): void {
    const upgrade = upgrades.get(raw)
    if (upgrade === undefined) return // a route outside fastify-login's scope
    upgrade.socket = socket
    if (upgrade.ended !== null) socket.close(CLOSE_CODE, upgrade.ended)
  }

  /** request.onSessionEnd. */
  function onSessionEnd (request: FastifyRequest, listener: EndListener): () => void {
    return bind(request, listener, request.raw)
  }

  return { onRequest, onSocket, onSessionEnd }
}
