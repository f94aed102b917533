'use strict'

module.exports = require('neostandard')({
  ts: true,
  ignores: ['dist/**', 'coverage/**', 'node_modules/**', '.tmp/**', 'examples/**/data/**', 'types/*.tst.*']
})
