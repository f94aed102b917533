// The devices page's live element. The page keeps a WebSocket open to /settings/devices/live, a
// route behind loginRequired. fastify-login closes that socket when this browser's session ends
// anywhere (ended on another device's devices page, "log out all other devices", a password
// change, a logout in another tab): close code 3000, the reason word as the close reason. The
// page then says "You were signed out" at once, without a click, and does not reconnect.
// Without JavaScript the page works as before and this element stays hidden.
/* global document, fetch, location, WebSocket */
'use strict'

;(function () {
  const status = document.getElementById('live-status')
  if (status === null || typeof WebSocket !== 'function') return

  /** The reason words fastify-login closes a socket with, as a person would say them. */
  const REASONS = {
    logout: 'you logged out in another tab or window.',
    revoked: 'this session was ended from another device, or by a password change.',
    theft: 'your “remember me” cookie was used by someone else, so this session was ended.',
    limit: 'you logged in on too many devices, and this was the oldest session.',
    expired: 'your session expired.',
    stale: 'your password changed or your account was deactivated.'
  }
  const CLOSED_BY_LOGIN = 3000

  function show (className, text) {
    status.className = className
    status.textContent = text
    status.hidden = false
  }

  function signedOut (reason) {
    const known = reason !== null && Object.prototype.hasOwnProperty.call(REASONS, reason)
    show('flash error', 'You were signed out: ' + (known ? REASONS[reason] : 'your session ended.') + ' ')
    status.dataset.reason = reason || ''
    status.setAttribute('role', 'alert')
    const again = document.createElement('a')
    again.href = '/login?next=' + encodeURIComponent(location.pathname)
    again.textContent = 'Log in again'
    status.appendChild(again)
    // the forms of the page would only lead to the login page now
    for (const button of document.querySelectorAll('main form button')) button.disabled = true
  }

  const socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + status.dataset.url)
  socket.addEventListener('open', function () { status.dataset.live = 'open' })
  socket.addEventListener('close', function (event) {
    status.dataset.live = 'closed'
    if (event.code === CLOSED_BY_LOGIN) {
      signedOut(event.reason)
      return
    }
    // Closed otherwise: refused because the session had already ended (no close code reaches the
    // page then), or the server went away. A plain GET of the same address answers 401 when this
    // browser is logged out.
    const stopped = function () { show('muted', 'Live updates stopped. Reload the page to see where you are logged in.') }
    fetch(status.dataset.url, { headers: { accept: 'application/json' }, cache: 'no-store' }).then(function (response) {
      if (response.status === 401) signedOut(null)
      else stopped()
    }, stopped)
  })
})()
