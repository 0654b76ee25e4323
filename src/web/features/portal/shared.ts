import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { ticketsApi } from '../tickets/api'
import { ticketKeys } from '../tickets/shared'

// The portal reuses the ticket API; its shapes (Ticket, TicketDetail, …) come from the OpenAPI document.

export const PORTAL_PAGE_SIZE = 25

/**
 * The customer's own tickets (GET /tickets answers only those for a customer), newest activity
 * first. Under ['tickets', 'list', …], so the realtime bridge refreshes it on any ticket event.
 */
export function useMyTickets(page: number) {
  const params = { portal: 'mine', sort: '-updated_at', page: String(page), limit: String(PORTAL_PAGE_SIZE) }
  return useQuery({
    queryKey: ticketKeys.list(params),
    queryFn: ({ signal }) => {
      const { portal: _portal, ...query } = params
      return ticketsApi.list(new URLSearchParams(query).toString(), signal)
    },
    placeholderData: keepPreviousData,
  })
}
