import { useQuery } from '@tanstack/react-query'
import { useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../../api/client'
import type { ApiItem } from '../../api/schema'

/**
 * @mentions in the reply editor: typing `@` and a few letters offers the organization's active
 * staff (a combobox list under the text box, arrows and Enter or Tab to pick, Escape to close).
 * A picked person is written as `@Name` in the text and sent as a mention span, which the server
 * turns into a notification for them.
 */

type Person = ApiItem<'/api/v1/users'>
type Role = ApiItem<'/api/v1/roles'>
export interface Mention {
  id: string
  name: string
}

/** The `@word` the caret is in, if any: where it starts and what has been typed after the @. */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret)
  const match = /(^|[\s(])@([\p{L}\p{N}._-]{0,30})$/u.exec(before)
  if (!match) return null
  return { start: caret - match[2]!.length - 1, query: match[2]! }
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/**
 * The reply as HTML with each picked mention still present in the text as a mention span; null
 * when no picked mention is left (the text is then sent as it is). Paragraphs at blank lines,
 * line breaks within them.
 */
export function mentionHtml(text: string, mentions: readonly Mention[]): string | null {
  const present = mentions.filter((m) => text.includes(`@${m.name}`))
  if (!present.length) return null
  // Longest names first, so "@Ann Lee" is not taken for "@Ann".
  const ordered = [...present].sort((a, b) => b.name.length - a.name.length)
  const byToken = new Map(ordered.map((m) => [escapeHtml(`@${m.name}`), m]))
  const pattern = new RegExp([...byToken.keys()].map((token) => token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
  const paragraphs = text.trim().split(/\n{2,}/)
  return paragraphs
    .map((paragraph) => {
      const html = escapeHtml(paragraph).replace(pattern, (token) => {
        const m = byToken.get(token)!
        return `<span data-mention-id="${escapeHtml(m.id)}">${token}</span>`
      })
      return `<p>${html.replace(/\n/g, '<br>')}</p>`
    })
    .join('')
}

function useStaffMatches(query: string | null) {
  const roles = useQuery({
    queryKey: ['roles', 'kinds'],
    queryFn: async ({ signal }) => (await api.get<Role[]>('/roles', { signal })).data,
    enabled: query !== null,
    staleTime: 5 * 60_000,
  })
  const people = useQuery({
    queryKey: ['users', 'mention', query],
    queryFn: async ({ signal }) =>
      (await api.get<Person[]>(`/users?is_active=true&limit=20&sort=name&q=${encodeURIComponent(query ?? '')}`, { signal })).data,
    enabled: query !== null,
    staleTime: 30_000,
    placeholderData: (previous) => previous,
  })
  const staffRoles = new Set((roles.data ?? []).filter((r) => r.kind === 'staff').map((r) => r.key))
  return (people.data ?? []).filter((p) => staffRoles.has(p.role)).slice(0, 8)
}

interface MentionState {
  /** Props for the textarea: combobox semantics and the keys that drive the list. */
  inputProps: {
    'aria-autocomplete': 'list'
    'aria-controls': string | undefined
    'aria-activedescendant': string | undefined
    onKeyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => boolean
    onSelect: () => void
  }
  list: ReactNode
  mentions: Mention[]
  reset: () => void
}

export function useMentionPicker(opts: {
  enabled: boolean
  listId: string
  text: string
  setText: (value: string) => void
  textRef: RefObject<HTMLTextAreaElement | null>
}): MentionState {
  const { t } = useTranslation()
  const { enabled, listId, text, setText, textRef } = opts
  const [at, setAt] = useState<{ start: number; query: string } | null>(null)
  // The highlighted choice, remembered for the query it was made in: a new query starts at the top.
  const [choice, setChoice] = useState<{ query: string; index: number }>({ query: '', index: 0 })
  const active = at && choice.query === at.query ? choice.index : 0
  const setActive = (update: (index: number) => number) => setChoice({ query: at?.query ?? '', index: update(active) })
  const [mentions, setMentions] = useState<Mention[]>([])
  const matches = useStaffMatches(enabled && at ? at.query : null)
  const open = enabled && at !== null && matches.length > 0

  const refresh = () => {
    const el = textRef.current
    if (!enabled || !el) return
    setAt(mentionQueryAt(el.value, el.selectionStart ?? el.value.length))
  }

  const pick = (person: Person) => {
    if (!at) return
    const el = textRef.current
    const caret = el?.selectionStart ?? text.length
    const inserted = `@${person.name} `
    const next = text.slice(0, at.start) + inserted + text.slice(caret)
    setText(next)
    setMentions((current) => (current.some((m) => m.id === person.id) ? current : [...current, { id: person.id, name: person.name }]))
    setAt(null)
    requestAnimationFrame(() => {
      if (!el) return
      const position = at.start + inserted.length
      el.focus()
      el.setSelectionRange(position, position)
    })
  }

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      const step = event.key === 'ArrowDown' ? 1 : -1
      setActive((i) => (i + step + matches.length) % matches.length)
      return true
    }
    if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault()
      const person = matches[active]
      if (person) pick(person)
      return true
    }
    if (event.key === 'Escape') {
      event.preventDefault()
      setAt(null)
      return true
    }
    return false
  }

  const optionId = (i: number) => `${listId}-option-${i}`
  const list = open ? (
    <ul className="mention-list" id={listId} role="listbox" aria-label={t('tickets.mentions.label')}>
      {matches.map((person, i) => (
        <li
          key={person.id}
          id={optionId(i)}
          role="option"
          aria-selected={i === active}
          className={i === active ? 'mention-option mention-active' : 'mention-option'}
          // Keep the focus in the text box while picking with the pointer.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => pick(person)}
        >
          <strong>{person.name}</strong> <span className="muted">{person.email}</span>
        </li>
      ))}
    </ul>
  ) : null

  return {
    inputProps: {
      // A textarea keeps its textbox role (a combobox role is not allowed on it): the list is
      // tied to it by aria-controls while open, and the highlighted option by aria-activedescendant.
      'aria-autocomplete': 'list',
      'aria-controls': open ? listId : undefined,
      'aria-activedescendant': open ? optionId(active) : undefined,
      onKeyDown,
      onSelect: refresh,
    },
    list,
    mentions,
    reset: () => {
      setMentions([])
      setAt(null)
    },
  }
}
