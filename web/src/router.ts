import { createRouter, createWebHistory, type Router } from 'vue-router'
import { PAGE_PATHS } from '@burnlink/shared'
import { loadViewMessages } from './common/i18n.ts'
import CreateSecretView from './features/create/CreateSecretView.vue'
import type { LazyGroup } from './lib/message-groups.ts'

declare module 'vue-router' {
  interface RouteMeta {
    /** The message key of what the view is for, in the tab's title, the browser history and bookmarks (App.vue). */
    title?: string
    /** The lazy words the view needs (lib/message-groups.ts), loaded before it shows. */
    messages?: LazyGroup[]
  }
}

/**
 * Paths only; every identifier and key stays in the fragment. The reveal, manage and links views
 * are lazy chunks: a creator never downloads them, and a recipient on a slow phone gets the
 * reveal page without the form code.
 */
export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: PAGE_PATHS.create, name: 'create', component: CreateSecretView, meta: { title: 'title.create' } },
      {
        path: PAGE_PATHS.secret,
        name: 'reveal',
        component: () => import('./features/reveal/RevealSecretView.vue'),
        meta: { title: 'title.reveal', messages: ['reveal'] },
      },
      {
        path: PAGE_PATHS.manage,
        name: 'manage',
        component: () => import('./features/manage/ManageSecretView.vue'),
        meta: { title: 'title.manage', messages: ['manage'] },
      },
      {
        path: PAGE_PATHS.links,
        name: 'links',
        component: () => import('./features/links/LinksView.vue'),
        meta: { title: 'title.links', messages: ['links'] },
      },
      {
        path: PAGE_PATHS.request,
        name: 'request',
        component: () => import('./features/request/RequestSecretView.vue'),
        meta: { title: 'title.request', messages: ['request'] },
      },
      {
        path: PAGE_PATHS.respond,
        name: 'respond',
        component: () => import('./features/request/RespondView.vue'),
        meta: { title: 'title.respond', messages: ['request'] },
      },
      {
        path: PAGE_PATHS.collect,
        name: 'collect',
        component: () => import('./features/request/CollectView.vue'),
        meta: { title: 'title.collect', messages: ['request'] },
      },
      { path: '/:rest(.*)*', redirect: PAGE_PATHS.create },
    ],
  })
  router.beforeResolve((to) => loadViewMessages(to.meta.messages ?? []))
  return router
}
