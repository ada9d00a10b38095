import { createRouter, createWebHistory, type Router } from 'vue-router'
import CreateSecretView from './views/CreateSecretView.vue'
import { SECRET_PATH } from './fragment.ts'

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
      { path: SECRET_PATH, name: 'reveal', component: () => import('./views/RevealSecretView.vue') },
      { path: '/r', name: 'manage', component: () => import('./views/ManageSecretView.vue') },
      { path: '/links', name: 'links', component: () => import('./views/MyLinksView.vue') },
      { path: '/:rest(.*)*', redirect: '/' },
    ],
  })
}
