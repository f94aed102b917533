// Live connections of one registration: bound to their tracked sessions, closed when one ends
// here (TrackedSessions tells), on another process (the store's notifications) or as a recheck
// finds it. Without `sessions`, only request.onSessionEnd exists, and it throws.
import type { EventEmitter } from 'node:events'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { SessionEndNotice, SessionEndReason, StoredSession } from '../../types/index.js'
import { FST_LOGIN_INVALID_VALUE, FST_LOGIN_NO_SESSIONS } from '../core/errors.js'
import type { LoginParts } from '../login/write.js'
import { kWarnTo, type WarnTo } from '../stores/redis-notify.js'
import type { TrackedSessions } from '../tracked/sessions.js'
import { createConnections } from './connections.js'
import { Recheck } from './recheck.js'
import { LiveSessions, type EndListener } from './sessions.js'

type OnSessionEnd = (this: FastifyRequest, listener: EndListener) => () => void

function checkListener (listener: unknown): void {
  if (typeof listener !== 'function') {
    throw new FST_LOGIN_INVALID_VALUE('request.onSessionEnd needs a function')
  }
}

const refuse: OnSessionEnd = function onSessionEnd (listener) {
  checkListener(listener)
  throw new FST_LOGIN_NO_SESSIONS('request.onSessionEnd()')
}

/** Wires the live connections; returns request.onSessionEnd. */
export async function setupLive (fastify: FastifyInstance, parts: LoginParts, manager: EventEmitter): Promise<OnSessionEnd> {
  const tracked = parts.tracked
  if (tracked === null) return refuse
  const warn = (message: string) => (error: unknown): void => { fastify.log.warn({ err: error }, `fastify-login: ${message}`) }
  const emit = (sid: string, userId: string, reason: SessionEndReason): void => { manager.emit('sessionEnded', sid, userId, reason) }
  let recheck: Recheck | null = null
  const live = new LiveSessions(warn('a session end listener threw'), (busy) => recheck?.busy(busy))
  recheck = new Recheck(parts.options, tracked, live, emit)
  const connections = createConnections(parts, live)
  tracked.onEnded = (entries, reason) => { ended(fastify, tracked, live, entries, reason, emit) }

  const store = tracked.store
  // a Redis store tells the app's log when its notifications fail (the recheck still closes)
  const warnTo = (store as Partial<WarnTo>)[kWarnTo]
  warnTo?.call(store, warn('the store\'s notifications failed; sessions ended on other processes close their connections here at the next recheck'))
  const unsubscribe = store.subscribe === undefined
    ? null
    : await store.subscribe((notice: SessionEndNotice) => { live.end(notice.id, notice.reason) })
  fastify.addHook('onRequest', connections.onRequest)
  fastify.addHook('onReady', function onReady (done) {
    const server = (fastify as { websocketServer?: EventEmitter }).websocketServer
    server?.on('connection', connections.onSocket)
    done()
  })
  fastify.addHook('onClose', async () => {
    recheck.busy(false)
    await unsubscribe?.()
  })
  return function onSessionEnd (listener) {
    checkListener(listener)
    return connections.onSessionEnd(this, listener)
  }
}

/** Sessions ended through this registration: closed here, announced to the others, and the event. */
function ended (fastify: FastifyInstance, tracked: TrackedSessions, live: LiveSessions, entries: readonly StoredSession[], reason: SessionEndReason, emit: (sid: string, userId: string, reason: SessionEndReason) => void): void {
  for (const entry of entries) live.end(entry.id, reason)
  const store = tracked.store
  const notices = entries.map((entry) => ({ id: entry.id, userId: entry.userId, reason }))
  Promise.resolve(notices).then((all) => store.announce?.(all))
    .catch((error: unknown) => { fastify.log.warn({ err: error }, 'fastify-login: could not announce an ended session to the other processes') })
  for (const entry of entries) emit(entry.id, entry.userId, reason)
}
