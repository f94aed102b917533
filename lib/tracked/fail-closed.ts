import { FST_LOGIN_STORE_UNAVAILABLE } from '../core/errors.js'

/**
 * A store call that fails closed: its error, or no answer within `timeoutMs`, becomes
 * FST_LOGIN_STORE_UNAVAILABLE (a 503). A call that answers late is left to settle unseen.
 */
export function failClosed<T> (call: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  let pending: Promise<T>
  try {
    pending = call()
  } catch (error) {
    pending = Promise.reject(error)
  }
  return Promise.race([pending, timedOut]).finally(() => clearTimeout(timer)).catch((error: unknown) => {
    throw new FST_LOGIN_STORE_UNAVAILABLE(String(error), { cause: error })
  })
}
