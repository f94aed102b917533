import { FST_LOGIN_NO_ID } from './errors.js'

/**
 * Default implementations of the user protocol. The flags are accessors on the prototype,
 * so a subclass may override them with a getter or with an own field.
 */
export class UserMixin {
  get isActive (): boolean {
    return true
  }

  get isAuthenticated (): boolean {
    return this.isActive
  }

  get isAnonymous (): false {
    return false
  }

  getId (): string {
    const id = (this as { id?: unknown }).id
    if (id === undefined || id === null) {
      throw new FST_LOGIN_NO_ID()
    }
    return String(id)
  }

  equals (other: unknown): boolean {
    return other instanceof UserMixin && other.getId() === this.getId()
  }
}

export class AnonymousUserMixin {
  get isAuthenticated (): false {
    return false
  }

  get isActive (): false {
    return false
  }

  get isAnonymous (): true {
    return true
  }

  getId (): null {
    return null
  }
}
