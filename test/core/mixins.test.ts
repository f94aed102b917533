import { test, type TestContext } from 'node:test'
import { AnonymousUserMixin, UserMixin } from 'fastify-login'

class Member extends UserMixin {
  constructor (public id: number | string) {
    super()
  }
}

class NoId extends UserMixin {}

// Flask-Login: test_default_values
test('UserMixin defaults: active, authenticated, not anonymous', (t: TestContext) => {
  const user = new Member(1)
  t.assert.strictEqual(user.isActive, true)
  t.assert.strictEqual(user.isAuthenticated, true)
  t.assert.strictEqual(user.isAnonymous, false)
})

// Flask-Login: test_get_id_from_id_attribute
test('UserMixin.getId returns the id as a string', (t: TestContext) => {
  t.assert.strictEqual(new Member(1).getId(), '1')
  t.assert.strictEqual(new Member('佐藤').getId(), '佐藤')
  t.assert.strictEqual(new Member(0).getId(), '0')
})

// Flask-Login: test_get_id_not_implemented
test('UserMixin.getId throws FST_LOGIN_NO_ID when there is no id', (t: TestContext) => {
  t.assert.throws(() => new NoId().getId(), { code: 'FST_LOGIN_NO_ID', name: 'FastifyError' })
  const nullId = new Member(1) as unknown as { id: null, getId (): string }
  nullId.id = null
  t.assert.throws(() => nullId.getId(), { code: 'FST_LOGIN_NO_ID' })
})

test('a subclass without id may override getId', (t: TestContext) => {
  class Named extends UserMixin {
    constructor (public username: string) { super() }
    override getId (): string { return `user:${this.username}` }
  }
  t.assert.strictEqual(new Named('ada').getId(), 'user:ada')
  t.assert.strictEqual(new Named('ada').equals(new Named('ada')), true)
  t.assert.strictEqual(new Named('ada').equals(new Named('bob')), false)
})

// Flask-Login: test_equality
test('equals compares ids, and only between UserMixin instances', (t: TestContext) => {
  const first = new Member(1)
  t.assert.strictEqual(first.equals(first), true)
  t.assert.strictEqual(first.equals(new Member(1)), true)
  t.assert.strictEqual(first.equals(new Member('1')), true)
  t.assert.strictEqual(first.equals(new Member(2)), false)
  t.assert.strictEqual(first.equals({ id: 1, getId: () => '1' }), false)
  t.assert.strictEqual(first.equals('1'), false)
  t.assert.strictEqual(first.equals(null), false)
  t.assert.strictEqual(first.equals(new AnonymousUserMixin()), false)
})

// Flask-Login: test_hashable
test('users are usable as Set and Map keys by identity', (t: TestContext) => {
  const first = new Member(1)
  const same = new Member(1)
  const set = new Set([first, same])
  t.assert.strictEqual(set.size, 2)
  t.assert.strictEqual(set.has(first), true)
  const map = new Map([[first, 'a']])
  t.assert.strictEqual(map.get(first), 'a')
  t.assert.strictEqual(map.get(same), undefined)
})

test('a subclass may override isActive with a getter: isAuthenticated follows', (t: TestContext) => {
  class Banned extends UserMixin {
    id = 7
    override get isActive (): boolean { return false }
  }
  const user = new Banned()
  t.assert.strictEqual(user.isActive, false)
  t.assert.strictEqual(user.isAuthenticated, false)
  t.assert.strictEqual(user.isAnonymous, false)
})

test('a subclass may override isActive with a field: isAuthenticated follows', (t: TestContext) => {
  class Account extends UserMixin {
    id = 8
    override isActive: boolean
    constructor (active: boolean) {
      super()
      this.isActive = active
    }
  }
  t.assert.strictEqual(new Account(false).isAuthenticated, false)
  t.assert.strictEqual(new Account(true).isAuthenticated, true)

  class Suspended extends UserMixin {
    id = 9
    override isActive = false
  }
  t.assert.strictEqual(new Suspended().isActive, false)
  t.assert.strictEqual(new Suspended().isAuthenticated, false)
})

test('a subclass may override isAuthenticated on its own', (t: TestContext) => {
  class Pending extends UserMixin {
    id = 10
    override get isAuthenticated (): boolean { return false }
  }
  const user = new Pending()
  t.assert.strictEqual(user.isActive, true)
  t.assert.strictEqual(user.isAuthenticated, false)
})

// Flask-Login: test_values (AnonymousUserTestCase)
test('AnonymousUserMixin: inactive, unauthenticated, anonymous, getId() is null', (t: TestContext) => {
  const anonymous = new AnonymousUserMixin()
  t.assert.strictEqual(anonymous.isActive, false)
  t.assert.strictEqual(anonymous.isAuthenticated, false)
  t.assert.strictEqual(anonymous.isAnonymous, true)
  t.assert.strictEqual(anonymous.getId(), null)
})
