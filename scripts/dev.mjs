#!/usr/bin/env node
// `npm run dev`: the API server with reload on change (tsx watch, port $PORT or 3000) and the web
// app with hot module replacement (Vite, port 5173, forwarding /api to the server). Ctrl-C stops both.
import { spawn } from 'node:child_process'

const children = [
  spawn(process.execPath, ['--import', 'tsx', '--watch', 'src/cli/aidly.ts', 'serve'], { stdio: 'inherit' }),
  spawn(process.execPath, ['node_modules/vite/bin/vite.js'], { stdio: 'inherit' }),
]
console.log('dev: API on http://localhost:3000 · web app with hot reload on http://localhost:5173')

let stopping = false
const stop = (code = 0) => {
  if (stopping) return
  stopping = true
  for (const child of children) child.kill('SIGTERM')
  setTimeout(() => process.exit(code), 500).unref()
}
for (const child of children) child.on('exit', (code) => stop(code ?? 0))
process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))
