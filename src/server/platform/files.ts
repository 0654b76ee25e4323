import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'

/**
 * Content-addressed file storage under `<dataDir>/files`: a file's name is the SHA-256 of its
 * bytes, so identical uploads are stored once and a stored file never changes. Writes go to a
 * temporary name and are renamed into place, so a crash never leaves a half-written file.
 */
export class FileStore {
  constructor(private readonly root: string) {}

  #path(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error('invalid file key')
    return path.join(this.root, key.slice(0, 2), key.slice(2, 4), key)
  }

  async put(data: Buffer): Promise<string> {
    const key = createHash('sha256').update(data).digest('hex')
    const target = this.#path(key)
    try {
      await stat(target)
      return key
    } catch {
      // not stored yet
    }
    await mkdir(path.dirname(target), { recursive: true })
    // A random temporary name: two identical uploads at once each write their own, and the second
    // rename replaces the first with the same bytes.
    const tmp = `${target}.${randomBytes(8).toString('hex')}.tmp`
    await writeFile(tmp, data, { flag: 'wx' })
    await rename(tmp, target)
    return key
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.#path(key))
    } catch {
      return null
    }
  }
}

export type ImageType = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif'

/**
 * The image type from the file's first bytes — never from the name or the declared type. SVG is
 * deliberately not accepted: it can carry script.
 */
export function sniffImage(data: Buffer): ImageType | null {
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png'
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg'
  if (data.length >= 12 && data.toString('ascii', 0, 4) === 'RIFF' && data.toString('ascii', 8, 12) === 'WEBP') return 'image/webp'
  if (data.length >= 6 && /^GIF8[79]a$/.test(data.toString('ascii', 0, 6))) return 'image/gif'
  return null
}
