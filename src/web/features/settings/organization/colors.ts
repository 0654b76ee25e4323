/** The app's own accent colour (styles.css --accent), used when the organization has none. */
export const DEFAULT_COLOR = '#4f46e5'
export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/

function luminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

/** Black or white, whichever reads better on `hex` (the better one always reaches 4.5:1). */
export function textOn(hex: string): '#111827' | '#ffffff' {
  const l = luminance(HEX_COLOR.test(hex) ? hex : DEFAULT_COLOR)
  const onBlack = (l + 0.05) / (luminance('#111827') + 0.05)
  const onWhite = 1.05 / (l + 0.05)
  return onBlack >= onWhite ? '#111827' : '#ffffff'
}
