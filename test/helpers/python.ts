// Runs a snippet of the real Python (itsdangerous, Flask, Flask-Login from python3) over JSON:
// the snippet reads `data` (the JSON input) and assigns `result` (printed back as JSON).
import { spawnSync } from 'node:child_process'

const PRELUDE = 'import sys, json\ndata = json.loads(sys.stdin.read())\nresult = None\n'
const EPILOGUE = '\nsys.stdout.write(json.dumps(result))\n'

/** Debian's python3, where apt-get puts python3-flask, python3-flask-login and python3-itsdangerous. */
export const PYTHON = process.env['FLASK_PYTHON'] ?? '/usr/bin/python3'

export function python (snippet: string, data: unknown = null): unknown {
  const run = spawnSync(PYTHON, ['-c', PRELUDE + snippet + EPILOGUE], { input: JSON.stringify(data), encoding: 'utf8' })
  if (run.status !== 0) {
    throw new Error(`python3 failed (${String(run.status)}): ${run.stderr}`)
  }
  return JSON.parse(run.stdout)
}
