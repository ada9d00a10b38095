import { createRouter, createWebHistory, type Router } from 'vue-router'
import { PAGE_PATHS } from '@burnlink/shared'
import CreateSecretView from './features/create/CreateSecretView.vue'

/**
 * Paths only; every identifier and key stays in the fragment. The reveal, manage and links views
 * are lazy chunks: a creator never downloads them, and a recipient on a slow phone gets the
 * reveal page without the form code.
 */
export function createAppRouter(): Router {
  return createRouter({
    history: createWebHistory(),
    routes: [
      { path: PAGE_PATHS.create, name: 'create', component: CreateSecretView },
      { path: PAGE_PATHS.secret, name: 'reveal', component: () => import('./features/reveal/RevealSecretView.vue') },
      { path: PAGE_PATHS.manage, name: 'manage', component: () => import('./features/manage/ManageSecretView.vue') },
      { path: PAGE_PATHS.links, name: 'links', component: () => import('./features/links/LinksView.vue') },
      { path: '/:rest(.*)*', redirect: PAGE_PATHS.create },
    ],
  })
}
