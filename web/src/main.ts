import { createApp } from 'vue'
import App from './App.vue'
import { i18n, startLocale } from './common/i18n.ts'
import { captureRequestFragment } from './features/request/request-fragment.ts'
import { captureSecretFragment } from './features/reveal/secret-fragment.ts'
import { createAppRouter } from './router.ts'
import './styles/base.css'

// Before the router exists: it copies the URL (key included) into history.state.
captureSecretFragment()
captureRequestFragment()
const app = createApp(App).use(createAppRouter()).use(i18n)
// Mounted once the language is known, so a German visitor never sees English flash by.
void startLocale().then(() => app.mount('#app'))
