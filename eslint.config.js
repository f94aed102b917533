'use strict'

module.exports = require('neostandard')({
  ts: true,
  filesTs: ['**/*.mts', '**/*.cts'],
  ignores: ['dist/**', 'coverage/**', 'node_modules/**', '.tmp/**', 'examples/**/data/**']
})
