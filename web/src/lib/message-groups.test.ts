import { describe, expect, it } from 'vitest'
import { keysUsedOutsideTheirView, splitMessages } from './message-groups.ts'

describe('keysUsedOutsideTheirView', () => {
  it('finds a lazy view key named by code outside that view, and ignores the view itself', () => {
    const keys = keysUsedOutsideTheirView({
      'common/use-my-links.ts': "return quota ? 'links.storageFull' : 'links.storageBlocked'",
      'features/manage/ManageSecretView.vue': `:confirm-label="t('reveal.burn.confirm')" :title="t('manage.title')"`,
      'features/links/LinksView.vue': "t('links.heading') + t(`links.state.${s}`)",
      'features/create/CreateForm.vue': "t('create.submit')",
    })
    expect([...keys].sort()).toEqual(['links.storageBlocked', 'links.storageFull', 'reveal.burn.confirm'])
  })

  it('refuses a key built at run time outside its view, which it could not keep', () => {
    expect(() => keysUsedOutsideTheirView({ 'lib/x.ts': 't(`reveal.${kind}`)' })).toThrow(
      'lib/x.ts: the key "reveal.…" is built at run time outside features/reveal/',
    )
  })

  it('does not take a longer word for a group', () => {
    expect([...keysUsedOutsideTheirView({ 'lib/x.ts': "t('revealed.x') + t('linkset.y')" })]).toEqual([])
  })
})

describe('splitMessages', () => {
  it('puts each lazy view key in its view, the shared ones and the rest in the first page', () => {
    const groups = splitMessages(
      {
        'app.name': 'burnlink',
        'reveal.title': 'Reveal',
        'reveal.burn.confirm': 'Burn',
        'links.heading': 'My links',
        'manage.title': 'Manage',
        'request.heading': 'Request a secret',
        'revealed.x': 'not a group',
      },
      new Set(['reveal.burn.confirm']),
    )
    expect(groups).toEqual({
      initial: { 'app.name': 'burnlink', 'reveal.burn.confirm': 'Burn', 'revealed.x': 'not a group' },
      reveal: { 'reveal.title': 'Reveal' },
      manage: { 'manage.title': 'Manage' },
      links: { 'links.heading': 'My links' },
      request: { 'request.heading': 'Request a secret' },
    })
  })
})
