import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { queryKeys } from '../../../api/queries'
import { organizationKeys, type Organization } from './api'

/**
 * After a save: this page's copy of the organization becomes the server's answer, and `me` is
 * fetched again so the header shows the new name, logo and colour at once. Returns whether the
 * form's "saved" message shows, a way to show it and one to hide it (on the next edit).
 */
export function useSaved() {
  const queryClient = useQueryClient()
  const [saved, setSaved] = useState(false)
  const markSaved = (organization: Organization) => {
    queryClient.setQueryData(organizationKeys.current, organization)
    void queryClient.invalidateQueries({ queryKey: queryKeys.me })
    setSaved(true)
  }
  const clearSaved = () => setSaved(false)
  return [saved, markSaved, clearSaved] as const
}
