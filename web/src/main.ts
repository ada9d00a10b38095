import { createApp } from 'vue'
import App from './App.vue'
import { captureSecretFragment } from './features/reveal/secret-fragment.ts'
import { createAppRouter } from './router.ts'
import './styles/base.css'

// Before the router exists: it copies the URL (key included) into history.state.
captureSecretFragment()
createApp(App).use(createAppRouter()).mount('#app')
