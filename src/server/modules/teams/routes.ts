import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { Envelope, IdParams, ListEnvelope, OkEnvelope, errors, ok, okList } from '../../platform/http.js'
import { createTeam, deleteTeam, updateTeam } from './manage-teams.js'
import { getTeam, getTeamDetail, listTeamMembers, listTeams } from './team-queries.js'
import { addTeamMember, removeTeamMember } from './team-membership.js'
import { AddMemberBody, CreateTeamBody, ListTeamsQuery, MemberParams, TeamDetailSchema, TeamMemberSchema, TeamSchema, UpdateTeamBody } from './schemas.js'

const tags = ['teams']

const teamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.get('/teams', {
    config: { permission: ['teams:read'] },
    schema: { tags, summary: 'Teams and departments by name, with member counts (q filters by name)', querystring: ListTeamsQuery, response: { 200: ListEnvelope(TeamSchema), ...errors(400, 401, 403) } },
  }, async (req) => {
    const actor = authorize(req, 'teams:read')
    const page = req.query.page ?? 1
    const limit = req.query.limit ?? 25
    const { teams, total } = await tenantTx(ctx, actor, (tx) => listTeams(tx, { page, limit, q: req.query.q }))
    return okList(teams, { page, limit, total })
  })

  app.post('/teams', {
    config: { permission: ['teams:manage'] },
    schema: { tags, summary: 'Create a team, optionally under a parent team (names are unique per organization)', body: CreateTeamBody, response: { 201: Envelope(TeamSchema), ...errors(400, 401, 403, 409) } },
  }, async (req, reply) => {
    const actor = authorize(req, 'teams:manage')
    const team = await tenantTx(ctx, actor, (tx) => createTeam(tx, actor, req.body, req.ip))
    reply.status(201)
    return ok(team)
  })

  app.get('/teams/:id', {
    config: { permission: ['teams:read'] },
    schema: { tags, summary: 'A team with its members', params: IdParams, response: { 200: Envelope(TeamDetailSchema), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'teams:read')
    return ok(await tenantTx(ctx, actor, (tx) => getTeamDetail(tx, req.params.id)))
  })

  app.patch('/teams/:id', {
    config: { permission: ['teams:manage'] },
    schema: {
      tags, summary: 'Rename, describe or move a team (under itself: 400; under its own sub-team: 409)',
      params: IdParams, body: UpdateTeamBody, response: { 200: Envelope(TeamSchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'teams:manage')
    return ok(await tenantTx(ctx, actor, (tx) => updateTeam(tx, actor, req.params.id, req.body, req.ip)))
  })

  app.delete('/teams/:id', {
    config: { permission: ['teams:manage'] },
    schema: { tags, summary: 'Delete a team; its sub-teams move to the top level', params: IdParams, response: { 200: OkEnvelope, ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'teams:manage')
    await tenantTx(ctx, actor, (tx) => deleteTeam(tx, actor, req.params.id, req.ip))
    return ok({ ok: true })
  })

  app.get('/teams/:id/members', {
    config: { permission: ['teams:read'] },
    schema: { tags, summary: 'The members of a team, leads first', params: IdParams, response: { 200: Envelope(Type.Array(TeamMemberSchema)), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'teams:read')
    return ok(await tenantTx(ctx, actor, async (tx) => {
      await getTeam(tx, req.params.id)
      return listTeamMembers(tx, req.params.id)
    }))
  })

  app.post('/teams/:id/members', {
    config: { permission: ['teams:manage'] },
    schema: {
      tags,
      summary: 'Add a staff member to a team (201); adding someone already on it sets is_lead when given and answers 200',
      params: IdParams, body: AddMemberBody,
      response: { 200: Envelope(TeamMemberSchema), 201: Envelope(TeamMemberSchema), ...errors(400, 401, 403, 404) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'teams:manage')
    const { member, created } = await tenantTx(ctx, actor, (tx) => addTeamMember(tx, actor, req.params.id, req.body, req.ip))
    reply.status(created ? 201 : 200)
    return ok(member)
  })

  app.delete('/teams/:id/members/:user_id', {
    config: { permission: ['teams:manage'] },
    schema: { tags, summary: 'Take someone off a team', params: MemberParams, response: { 200: OkEnvelope, ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'teams:manage')
    await tenantTx(ctx, actor, (tx) => removeTeamMember(tx, actor, req.params.id, req.params.user_id, req.ip))
    return ok({ ok: true })
  })
}

export default teamRoutes
