import { createRouter, createWebHistory, type Router } from 'vue-router'
import { SECRET_PATH } from './features/reveal/secret-fragment.ts'
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
      { path: '/', name: 'create', component: CreateSecretView },
      { path: SECRET_PATH, name: 'reveal', component: () => import('./features/reveal/RevealSecretView.vue') },
      { path: '/r', name: 'manage', component: () => import('./features/manage/ManageSecretView.vue') },
      { path: '/links', name: 'links', component: () => import('./features/links/LinksView.vue') },
      { path: '/:rest(.*)*', redirect: '/' },
    ],
  })
}
