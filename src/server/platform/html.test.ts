import { describe, expect, it } from 'vitest'
import { htmlToText, sanitizeRichText, textToHtml } from './html.js'

describe('sanitizeRichText', () => {
  it('keeps formatting and drops scripts, handlers, styles and javascript: links', () => {
    const dirty = '<p onclick="x()">Hi <b>there</b><script>alert(1)</script><a href="javascript:alert(1)">x</a>'
      + '<img src="https://x.test/a.png" onerror="alert(1)"><img src="data:image/png;base64,AAAA"><iframe src="https://evil.test"></iframe>'
      + '<style>body{}</style><a href="https://ok.test">ok</a></p>'
    const clean = sanitizeRichText(dirty)
    expect(clean).toContain('<b>there</b>')
    expect(clean).toContain('<img src="https://x.test/a.png" />')
    expect(clean).toContain('href="https://ok.test" target="_blank" rel="noopener noreferrer nofollow"')
    expect(clean).not.toMatch(/script|onclick|onerror|javascript:|data:image|iframe|style/i)
  })

  it('keeps cid: images for inline mail parts', () => {
    expect(sanitizeRichText('<img src="cid:logo@x">')).toBe('<img src="cid:logo@x" />')
  })
})

describe('text conversions', () => {
  it('turns rich text into readable plain text', () => {
    expect(htmlToText('<p>Hello&nbsp;<b>world</b></p><p>Line<br>two &amp; &lt;three&gt;</p>')).toBe('Hello world\nLine\ntwo & <three>')
  })

  it('escapes plain text into paragraphs', () => {
    expect(textToHtml('a <b>\nb\n\nc')).toBe('<p>a &lt;b&gt;<br>b</p><p>c</p>')
  })
})
