import { createApp } from 'vue'
import App from './App.vue'
import { i18n, startLocale } from './common/i18n.ts'
import { captureRequestFragment } from './features/request/request-fragment.ts'
import { captureSecretFragment } from './features/reveal/secret-fragment.ts'
import { createAppRouter } from './router.ts'
import './styles/base.css'

const nextTask = () => new Promise((resolve) => setTimeout(resolve))

function start(): void {
  // Before the router exists: it copies the URL (key included) into history.state.
  captureSecretFragment()
  captureRequestFragment()
  const router = createAppRouter()
  const app = createApp(App).use(router).use(i18n)
  // Mounted once the language is known, so a German visitor never sees English flash by, and
  // once the first view is ready: mounted earlier, the page would paint its header and footer
  // alone and then the view in a second long task, which a slow phone counts as blocking time.
  // A view that failed to load still gets the rest of the page. The mount is a task of its own,
  // not the end of the one that evaluated the view's code or its words.
  void Promise.all([startLocale(), router.isReady().catch(() => undefined)])
    .then(nextTask)
    .then(() => app.mount('#app'))
}

// A task of its own for starting the app: evaluating the modules above is already one that a
// slow phone counts as blocking time, and the two together would count more. A timer, not a
// top-level await, which would make the bundler split the code the views share with the entry.
setTimeout(start)
