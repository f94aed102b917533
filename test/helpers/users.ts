import { UserMixin } from 'fastify-login'

/** Flask-Login's test users: notch(1), steve(2), creeper(3, inactive) and 佐藤 (Müller). */
export class User extends UserMixin {
  authHash: string | undefined
  constructor (public id: string, public name: string, public active = true) {
    super()
  }

  override get isActive (): boolean {
    return this.active
  }
}

/** A user with getSessionAuthHash() (changes when the password changes). */
export class HashedUser extends User {
  constructor (id: string, name: string, public passwordHash: string) {
    super(id, name)
  }

  getSessionAuthHash (): string {
    return `h:${this.passwordHash}`
  }
}

export function makeUsers (): Map<string, User> {
  return new Map<string, User>([
    ['1', new User('1', 'Notch')],
    ['2', new User('2', 'Steve')],
    ['3', new User('3', 'Creeper', false)],
    ['佐藤', new User('佐藤', 'Müller')]
  ])
}
